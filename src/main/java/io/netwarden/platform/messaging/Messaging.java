package io.netwarden.platform.messaging;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The platform's messaging: NATS between processes, or the in-process bus when {@code netwarden.nats.url} is unset.
 * One instance per process; the {@link io.netwarden.platform.lifecycle.Lifecycle} starts it before the roles and stops
 * it after them. A handler that throws has its failure logged; the subscription goes on.
 */
public interface Messaging {

    /** Publishes a message without waiting for anyone. */
    void publish(BusMessage message);

    default void publish(String subject, byte[] data) {
        publish(BusMessage.of(subject, data));
    }

    /**
     * Subscribes to a subject filter ({@code *} and {@code >} allowed). With a queue group, each message goes to one
     * member of the group only. Messages of one subscription are handled one at a time, in order.
     */
    Subscription subscribe(String filter, Optional<String> queueGroup, Consumer<BusMessage> handler);

    /**
     * Sends a request and completes with the first reply; fails with {@link NoRespondersException} when nobody
     * listens and with a {@link java.util.concurrent.TimeoutException} after {@code timeout}.
     */
    CompletableFuture<BusMessage> request(BusMessage request, Duration timeout);

    /** Answers a request received by a handler. */
    default void reply(BusMessage request, byte[] data) {
        publish(BusMessage.of(request.replyTo().orElseThrow(
                () -> new IllegalArgumentException("message on " + request.subject() + " has no reply subject")), data));
    }

    /** Whether messages can flow now. The in-process bus always can; NATS only while connected. */
    boolean connected();

    /** Short description for logs and health: kind and address. */
    String description();

    /**
     * JetStream, for durable delivery; empty on the in-process bus.
     *
     * @throws MessagingUnavailableException on NATS before the first connection
     */
    Optional<io.nats.client.JetStream> jetStream();

    /**
     * JetStream management (streams, consumers); empty on the in-process bus.
     *
     * @throws MessagingUnavailableException on NATS before the first connection
     */
    Optional<io.nats.client.JetStreamManagement> jetStreamManagement();

    /**
     * A jnats dispatcher of its own (one thread that hands out the messages of the subscriptions made on it), for a
     * durable consumer that outlives its subscriptions; empty on the in-process bus. Close it with
     * {@link #closeDispatcher}.
     *
     * @throws MessagingUnavailableException on NATS before the first connection
     */
    default Optional<io.nats.client.Dispatcher> newDispatcher() {
        return Optional.empty();
    }

    /** Ends a dispatcher of {@link #newDispatcher} (its thread ends, its subscriptions go). */
    default void closeDispatcher(io.nats.client.Dispatcher dispatcher) {
    }

    void start();

    /** Lets in-flight messages finish for at most {@code drain}, then closes. */
    void stop(Duration drain);

    /** A live subscription. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
