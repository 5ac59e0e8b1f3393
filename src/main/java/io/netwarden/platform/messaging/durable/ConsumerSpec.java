package io.netwarden.platform.messaging.durable;

import io.netwarden.platform.messaging.Subjects;
import java.time.Duration;

/**
 * A durable consumer of a stream.
 *
 * @param stream the stream it reads
 * @param name its durable name: one subject token; the position is kept under it
 * @param filter which subjects of the stream it gets ({@code ship1.>})
 * @param ackWait a delivery not acknowledged within this time is delivered again
 * @param maxDeliveries after this many deliveries without an ack the message is given up for this consumer (0: never)
 * @param maxInFlight deliveries handed out and not acknowledged at once; 1 keeps the stream order
 */
public record ConsumerSpec(String stream, String name, String filter, Duration ackWait, int maxDeliveries, int maxInFlight) {

    public ConsumerSpec {
        Subjects.requireToken("stream name", stream);
        Subjects.requireToken("consumer name", name);
        Subjects.requireValidFilter(filter);
        if (ackWait.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("consumer " + name + ": ack wait must be at least 100ms");
        }
        if (maxDeliveries < 0 || maxInFlight < 1) {
            throw new IllegalArgumentException("consumer " + name + ": max deliveries >= 0 and max in flight >= 1");
        }
    }
}
