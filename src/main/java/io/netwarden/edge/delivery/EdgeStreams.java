package io.netwarden.edge.delivery;

import io.netwarden.platform.messaging.durable.StreamSpec;
import java.time.Duration;
import java.util.List;

/**
 * The edge role's two durable streams and their subjects.
 *
 * <pre>
 *   EDGE       <node>.command.<method>, <node>.event.<method>   (the seed's subjects)   consumers node-<node>-command,
 *                                                                                                node-<node>-event
 *   EDGE_ACKS  <sender>.ack.<node>                              (answers to the sender) consumer acks-<sender>
 * </pre>
 *
 * Answers have a stream of their own: JetStream streams may not overlap, and {@code *.ack.*} is not within the seed's
 * subjects.
 */
public final class EdgeStreams {

    public static final String MESSAGES = "EDGE";
    public static final String ACKS = "EDGE_ACKS";

    private EdgeStreams() {
    }

    public static StreamSpec messages(Duration maxAge) {
        return new StreamSpec(MESSAGES, List.of("*.command.*", "*.event.*"), maxAge);
    }

    public static StreamSpec acks(Duration maxAge) {
        return new StreamSpec(ACKS, List.of("*.ack.*"), maxAge);
    }

    /** Where {@code node} answers a message {@code sender} sent. */
    public static String ackSubject(String sender, String node) {
        return sender + ".ack." + node;
    }
}
