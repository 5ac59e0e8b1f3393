package io.netwarden.edge.methods;

import io.netwarden.edge.messages.EdgeMessage;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * A method a node offers: the last token of {@code <node>.<command|event>.<method>}. Each is a CDI bean; the node
 * finds it by {@link #name()}, so a new method is one new class. A method is called with a message that has passed the
 * signature checks, on its own virtual thread; it must end within {@code timeout} (or answer TIMEOUT).
 */
public interface EdgeMethod {

    /** The method name as it appears in subjects ({@code shellCommand}). */
    String name();

    /**
     * As what it may be sent: commands only unless a method says otherwise. Whatever acts on the node (runs, reads or
     * writes files) stays a command; events are for deliveries such as log lines.
     */
    default Set<EdgeMessage.Kind> kinds() {
        return EnumSet.of(EdgeMessage.Kind.command);
    }

    /**
     * Whether it ends within milliseconds (or a few seconds at most: a bounded read or write). A node records the quick
     * ones that arrive together in its execution log in one write before running them, and stops such a group at the
     * first method that is not quick; so a node stopped while a long method runs reports only that one interrupted.
     */
    default boolean quick() {
        return false;
    }

    /**
     * Whether each run is recorded in the node's execution log, so that a message runs at most once. Only a method that
     * changes nothing (ping) says no: a copy that comes twice is simply answered twice, and health probes do not fill
     * the log.
     */
    default boolean recorded() {
        return true;
    }

    MethodResult run(EdgeMessage message, Duration timeout) throws InterruptedException;

    /**
     * The node stops: whatever of this method still runs ends now, its run answering
     * {@link io.netwarden.edge.EdgeError#INTERRUPTED} (a shellCommand's processes are killed rather than left behind).
     * Quick methods have nothing to end.
     */
    default void stopRunning() {
    }
}
