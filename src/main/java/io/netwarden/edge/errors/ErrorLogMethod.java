package io.netwarden.edge.errors;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.platform.messaging.Subjects;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code errorLog}: the event nodes send to the central ({@code <central>.event.errorLog}) when a message failed there;
 * data {@code [node, messageId, method, error, text]}. The central stores it in its error log. Thread safety: stateless
 * apart from the thread-safe log.
 */
public final class ErrorLogMethod implements EdgeMethod {

    public static final String NAME = "errorLog";

    private final ErrorLog log;
    private final Clock clock;

    public ErrorLogMethod(ErrorLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** The text with control characters as {@code ?}: one log line, nothing that drives a terminal. */
    public static String printable(String text) {
        return text.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** The data of an errorLog event. */
    public static List<String> data(String node, String messageId, String method, EdgeError error, String text) {
        return List.of(node, messageId, method, error.code(), text);
    }

    @Override
    public java.util.Set<EdgeMessage.Kind> kinds() {
        return java.util.EnumSet.of(EdgeMessage.Kind.event);
    }

    @Override
    public boolean quick() {
        return true;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MethodResult run(EdgeMessage message, Duration timeout) {
        List<String> data = message.data();
        if (data.size() != 5) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "errorLog data is [node, messageId, method, error, text]");
        }
        try {
            Subjects.requireToken("node", data.get(0));
            Subjects.requireToken("method", data.get(2));
        } catch (IllegalArgumentException e) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, e.getMessage());
        }
        String id = data.get(1);
        if (id.isEmpty() || id.length() > 64 || id.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "messageId is 1-64 printable ASCII characters");
        }
        if (Arrays.stream(EdgeError.values()).noneMatch(e -> e.code().equals(data.get(3)))) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "error is one of the edge error codes");
        }
        String text = printable(data.get(4));
        if (!data.get(0).equals(message.fromNode())) {
            // a sender reports about the node it sent to (expired, no answer): say who reported it
            text = "(reported by " + message.fromNode() + ") " + text;
        }
        log.add(data.get(0), id, data.get(2), data.get(3), text, clock.instant());
        return MethodResult.ok("", 0, false);
    }
}
