package io.netwarden.platform.messaging.durable;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** One delivery of a stored message to a consumer. Exactly one of the ack methods should be called, once. */
public interface Delivery {

    String subject();

    Map<String, String> headers();

    byte[] data();

    /** The message's sequence in its stream. */
    long sequence();

    /** 1 for the first delivery to this consumer, then 2, 3 … */
    int attempt();

    /** When the message was stored. */
    Instant storedAt();

    /** Done: never delivered to this consumer again. Returns once the broker confirmed it. */
    void ack();

    /**
     * As {@link #ack}, without waiting for the broker to confirm it: for a consumer whose handler may see a message
     * twice at no harm (an ack lost on the way hands it out again after the ack wait). The default waits.
     */
    default void ackNoWait() {
        ack();
    }

    /** Not now: delivered again after {@code delay}. */
    void nak(Duration delay);

    /** Never: not delivered to this consumer again, without having been handled. */
    void term();

    /** Still working on it: the ack wait starts again. */
    void inProgress();
}
