package io.netwarden.edge.methods;

import io.netwarden.edge.messages.EdgeMessage;
import java.time.Duration;

/**
 * A method a node offers: the last token of {@code <node>.<command|event>.<method>}. Each is a CDI bean; the node
 * finds it by {@link #name()}, so a new method is one new class. A method is called with a message that has passed the
 * signature checks, on its own virtual thread; it must end within {@code timeout} (or answer TIMEOUT).
 */
public interface EdgeMethod {

    /** The method name as it appears in subjects ({@code shellCommand}). */
    String name();

    MethodResult run(EdgeMessage message, Duration timeout) throws InterruptedException;
}
