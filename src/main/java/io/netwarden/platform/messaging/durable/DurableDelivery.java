package io.netwarden.platform.messaging.durable;

/**
 * Durable, acknowledged delivery between roles and nodes: a message is stored before {@link #publish} returns, and a
 * named consumer gets every stored message that matches its filter until it acknowledges it, across restarts of either
 * side, of the broker and of the database. The raw NATS JetStream API stays behind this interface.
 *
 * <pre>
 *   declare(stream: name, subjects, max age)           once per stream, idempotent
 *   publish(stream, subject, headers, data, id)  ─▶  stored (sequence) ── the same id twice: stored once
 *   publishAsync(…)  the same without waiting: a future of the sequence (pipelined; see its order rule)
 *   consume(stream, consumer name, filter, ack wait, max deliveries, in flight, handler)
 *        ├─ every stored message matching filter, in stream order, not yet acked by this consumer
 *        ├─ ack()            ─▶ never again for this consumer
 *        ├─ nak(delay)       ─▶ again after delay
 *        ├─ no answer within ack wait ─▶ again (attempt + 1)
 *        └─ term() / max deliveries reached ─▶ never again
 *   consumeBatches(…)  the same, handed over in batches: one batch at a time, in hand-out order, up to in-flight long
 * </pre>
 *
 * Two implementations: {@link JetStreamDelivery} when NATS is configured (roles on different processes share the
 * streams), {@link DatabaseDelivery} otherwise (the all-in-one process keeps its messages in its own database).
 * Both deliver each consumer's messages to its handler one at a time per consumer when {@code maxInFlight} is 1, which
 * keeps order; a handler that throws is as a {@code nak} of {@link #HANDLER_FAILED_RETRY}. Thread safety:
 * implementations are thread-safe; handlers run on the implementation's threads.
 */
public interface DurableDelivery {

    /** A handler that throws gets its message again after this (not at once: a failing database would spin). */
    java.time.Duration HANDLER_FAILED_RETRY = java.time.Duration.ofSeconds(1);

    /** Declares (or updates) a stream. Idempotent; call before publishing to or consuming from it. */
    void declare(StreamSpec stream);

    /**
     * Stores a message in {@code stream} and returns its sequence there once it is stored.
     *
     * @throws DeliveryUnavailableException when it could not be stored (broker or database unreachable); nothing stored
     */
    long publish(String stream, Outgoing message);

    /**
     * As {@link #publish}, without waiting for the store to confirm: the future ends with the sequence, or with a
     * {@link DeliveryUnavailableException}. Messages started one after another from one thread are stored in that order
     * as long as the link holds; when it breaks, one in flight may be lost while a later one is stored, so a caller that
     * needs order stops at the first failure and sends the rest again in order. The default waits ({@link #publish}).
     *
     * @throws IllegalArgumentException at once, for a message that can never be stored
     */
    default java.util.concurrent.CompletableFuture<Long> publishAsync(String stream, Outgoing message) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(publish(stream, message));
        } catch (DeliveryUnavailableException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Starts (or resumes, by name) a durable consumer. Its position survives restarts: a consumer of the same name on
     * the same stream goes on where the last one stopped.
     *
     * @throws IllegalArgumentException when its filter is not within one of the stream's subjects (JetStream's rule:
     *     {@code ship1.command.*} in a stream of {@code *.command.*}, not {@code ship1.>})
     */
    Consumption consume(ConsumerSpec consumer, DeliveryHandler handler);

    /**
     * As {@link #consume}, but the handler gets the deliveries in batches: everything handed out since the last batch
     * (up to {@code maxInFlight}), in the order handed out, one batch at a time. For a handler that must keep order and
     * wants to pay for a database round trip or a broker round trip once per batch rather than once per message. A
     * delivery the handler leaves unanswered (or all unanswered ones when it throws) is as a {@code nak} of
     * {@link #HANDLER_FAILED_RETRY}; deliveries waiting for their batch, or in a batch that runs long, are kept from
     * being handed out again ({@code inProgress}).
     */
    Consumption consumeBatches(ConsumerSpec consumer, BatchHandler handler);

    /** "jetstream" or "database", for logs and health. */
    String kind();

    /** Handles one delivered message; must end by calling one of its ack methods (or throw: as nak). */
    @FunctionalInterface
    interface DeliveryHandler {
        void handle(Delivery delivery) throws Exception;
    }

    /** Handles a batch of deliveries in order; should answer each before it returns. */
    @FunctionalInterface
    interface BatchHandler {
        void handle(java.util.List<Delivery> batch) throws Exception;
    }

    /** A running consumer. */
    interface Consumption extends AutoCloseable {
        /** Stops handing out messages; unacked ones stay for the next consumer of the same name. */
        @Override
        void close();
    }
}
