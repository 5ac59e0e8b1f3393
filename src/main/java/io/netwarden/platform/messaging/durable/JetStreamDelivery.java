package io.netwarden.platform.messaging.durable;

import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.MessagingUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * {@link DurableDelivery} on NATS JetStream: a file-backed stream per {@link StreamSpec}, a durable pull consumer with
 * explicit acks per {@link ConsumerSpec}, deduplication by {@code Nats-Msg-Id}.
 *
 * <pre>
 *   publish ─▶ js.publish(msg, expected stream, msg id) ─▶ PubAck (stored; sequence)
 *   publishAsync ─▶ js.publishAsync (the same, pipelined on the one connection) ─▶ future of the sequence
 *   consume ─▶ [attach loop: until the link is up and the consumer exists] ─▶ ConsumerContext.consume
 *                 ─▶ each message on a virtual thread ─▶ handler ─▶ ack / nak / term / in progress
 *                 └ batches: each message, on the jnats dispatcher, queued in stream order ─▶ DeliveryBatcher
 * </pre>
 *
 * A consumer opened while NATS cannot be reached keeps trying in the background (doubling waits up to 10 s), so roles
 * may start before the broker. When the link comes back ({@link #linkRestored}) every open consumer is started again:
 * a server that restarted forgot the pull requests waiting on it, and jnats would notice only when the pull expires or
 * its heartbeats are missed (half a minute and more of messages not handed out); the replaced jnats consumer is closed
 * once its last pull can bring nothing more. Each consumer has one dispatcher (thread) of its own for its whole life,
 * ended when it closes. Thread safety: jnats objects are thread-safe; the open consumers are in a concurrent set.
 */
public final class JetStreamDelivery implements DurableDelivery {

    private static final Logger LOG = Logger.getLogger(JetStreamDelivery.class);
    private static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(10);
    private static final Duration ATTACH_MAX_WAIT = Duration.ofSeconds(10);

    private final Messaging messaging;
    private final Map<String, StreamSpec> declared = new ConcurrentHashMap<>();
    private final java.util.Set<JetStreamConsumption> open = ConcurrentHashMap.newKeySet();

    /**
     * How long a consumer replaced after a reconnect is left to hand out what its pull still brings (a link that only
     * blinked keeps the pull on the server) before it is closed: a little more than a pull's expiry (jnats: 30 s).
     */
    static final Duration REPLACED_LINGER = Duration.ofSeconds(35);

    private final Duration replacedLinger;

    public JetStreamDelivery(Messaging messaging) {
        this(messaging, REPLACED_LINGER);
    }

    JetStreamDelivery(Messaging messaging, Duration replacedLinger) {
        this.messaging = messaging;
        this.replacedLinger = replacedLinger;
    }

    @Override
    public String kind() {
        return "jetstream";
    }

    private JetStream jetStream() {
        try {
            return messaging.jetStream().orElseThrow(() -> new DeliveryUnavailableException("JetStream needs NATS"));
        } catch (MessagingUnavailableException e) {
            throw new DeliveryUnavailableException(e.getMessage());
        }
    }

    private JetStreamManagement management() {
        try {
            return messaging.jetStreamManagement().orElseThrow(() -> new DeliveryUnavailableException("JetStream needs NATS"));
        } catch (MessagingUnavailableException e) {
            throw new DeliveryUnavailableException(e.getMessage());
        }
    }

    @Override
    public void declare(StreamSpec stream) {
        declared.put(stream.name(), stream);
        ensure(stream);
    }

    /**
     * Creates the stream, or updates it when its settings differ. A process that may only read the stream (an edge node
     * whose NATS user has no right to edit it) finds it as wanted and changes nothing; one whose settings differ and
     * that may not change them logs that and goes on with the stream as it is.
     */
    private void ensure(StreamSpec stream) {
        StreamConfiguration config = StreamConfiguration.builder().name(stream.name()).subjects(stream.subjects())
                .maxAge(stream.maxAge()).storageType(StorageType.File)
                .duplicateWindow(DUPLICATE_WINDOW.compareTo(stream.maxAge()) < 0 ? DUPLICATE_WINDOW : stream.maxAge()).build();
        JetStreamManagement jsm = management();
        StreamConfiguration existing;
        try {
            existing = jsm.getStreamInfo(stream.name()).getConfiguration();
        } catch (JetStreamApiException missing) {
            if (missing.getApiErrorCode() != 10059) { // stream not found
                throw new IllegalStateException("JetStream refused stream " + stream.name() + ": "
                        + missing.getErrorDescription() + " (error " + missing.getApiErrorCode() + ")");
            }
            existing = null;
        } catch (IOException e) {
            throw new DeliveryUnavailableException("JetStream stream " + stream.name() + " could not be read: " + e.getMessage());
        }
        if (existing != null && sameSettings(existing, config)) {
            return;
        }
        try {
            if (existing == null) {
                jsm.addStream(config);
                LOG.infof("JetStream stream %s created for %s (max age %s)", stream.name(), stream.subjects(), stream.maxAge());
            } else {
                jsm.updateStream(config);
                LOG.infof("JetStream stream %s updated: %s, max age %s", stream.name(), stream.subjects(), stream.maxAge());
            }
        } catch (IOException e) {
            if (existing != null) {
                LOG.warnf("JetStream stream %s has other settings than this process wants (%s, max age %s) and could not"
                        + " be changed (%s; does this NATS user lack the right?); it is used as it is", stream.name(),
                        stream.subjects(), stream.maxAge(), e.getMessage());
                return;
            }
            throw new DeliveryUnavailableException("JetStream stream " + stream.name() + " could not be declared: " + e.getMessage());
        } catch (JetStreamApiException e) {
            throw new IllegalStateException("JetStream refused stream " + stream.name() + ": " + e.getErrorDescription()
                    + " (error " + e.getApiErrorCode() + ")");
        }
    }

    private static boolean sameSettings(StreamConfiguration existing, StreamConfiguration wanted) {
        return new java.util.HashSet<>(existing.getSubjects()).equals(new java.util.HashSet<>(wanted.getSubjects()))
                && existing.getMaxAge().equals(wanted.getMaxAge()) && existing.getStorageType() == wanted.getStorageType()
                && existing.getDuplicateWindow().equals(wanted.getDuplicateWindow());
    }

    @Override
    public long publish(String stream, Outgoing message) {
        return publish(stream, message, false);
    }

    @Override
    public CompletableFuture<Long> publishAsync(String stream, Outgoing message) {
        CompletableFuture<PublishAck> stored;
        try {
            stored = jetStream().publishAsync(natsMessage(message), publishOptions(stream, message));
        } catch (DeliveryUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) { // jnats refuses to queue it (closed, or disconnected past its buffer)
            return CompletableFuture.failedFuture(new DeliveryUnavailableException("not stored in JetStream stream "
                    + stream + ": " + e.getMessage()));
        }
        // a lost stream (10060) is not declared again here: the caller's retry goes through publish, which does
        return stored.handle((ack, failure) -> {
            if (failure == null) {
                return ack.getSeqno();
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            throw new DeliveryUnavailableException("not stored in JetStream stream " + stream + ": "
                    + (cause instanceof JetStreamApiException api ? api.getErrorDescription() : cause.toString()));
        });
    }

    private static NatsMessage natsMessage(Outgoing message) {
        NatsMessage.Builder builder = NatsMessage.builder().subject(message.subject()).data(message.data());
        if (!message.headers().isEmpty()) {
            Headers headers = new Headers();
            message.headers().forEach(headers::put);
            builder.headers(headers);
        }
        return builder.build();
    }

    private static PublishOptions publishOptions(String stream, Outgoing message) {
        PublishOptions.Builder options = PublishOptions.builder().expectedStream(stream);
        message.id().ifPresent(options::messageId);
        return options.build();
    }

    private long publish(String stream, Outgoing message, boolean redeclared) {
        try {
            PublishAck ack = jetStream().publish(natsMessage(message), publishOptions(stream, message));
            return ack.getSeqno();
        } catch (IOException e) {
            throw new DeliveryUnavailableException("not stored in JetStream stream " + stream + ": " + e.getMessage());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == 10060 && declared.containsKey(stream) && !redeclared) { // the stream was lost
                ensure(declared.get(stream));
                return publish(stream, message, true);
            }
            throw new DeliveryUnavailableException("JetStream stream " + stream + " refused the message: " + e.getErrorDescription());
        }
    }

    @Override
    public Consumption consume(ConsumerSpec spec, DeliveryHandler handler) {
        StreamSpec stream = declared.get(spec.stream());
        if (stream != null) {
            stream.requireCovers(spec.filter()); // JetStream would refuse it in the attach loop, over and over
        }
        return attach(new JetStreamConsumption(spec, handler, null));
    }

    @Override
    public Consumption consumeBatches(ConsumerSpec spec, BatchHandler handler) {
        StreamSpec stream = declared.get(spec.stream());
        if (stream != null) {
            stream.requireCovers(spec.filter());
        }
        return attach(new JetStreamConsumption(spec, null, new DeliveryBatcher(spec, handler)));
    }

    /**
     * The link to NATS came back: each open consumer asks for messages again at once (the pull it had waiting may be
     * gone with a restarted server). Messages of the old pull still on their way are handled as usual.
     */
    public void linkRestored() {
        open.forEach(JetStreamConsumption::restart);
    }

    private Consumption attach(JetStreamConsumption consumption) {
        open.add(consumption);
        Thread.ofVirtual().name("durable-attach-" + consumption.spec.name()).start(consumption::attach);
        return consumption;
    }

    private final class JetStreamConsumption implements Consumption {
        final ConsumerSpec spec;
        /** One of these two is set: each delivery to the handler on its own thread, or in order to the batcher. */
        private final DeliveryHandler handler;
        private final DeliveryBatcher batcher;
        private volatile boolean closed;
        private volatile MessageConsumer consumer;
        private io.nats.client.Dispatcher dispatcher;

        JetStreamConsumption(ConsumerSpec spec, DeliveryHandler handler, DeliveryBatcher batcher) {
            this.spec = spec;
            this.handler = handler;
            this.batcher = batcher;
        }

        /** Creates the durable consumer and starts consuming; retries while NATS or the stream is not there. */
        void attach() {
            Duration wait = Duration.ofMillis(100);
            while (!closed) {
                try {
                    StreamSpec stream = declared.get(spec.stream());
                    if (stream != null) {
                        ensure(stream);
                    }
                    ConsumerConfiguration config = ConsumerConfiguration.builder().durable(spec.name())
                            .filterSubject(spec.filter()).ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All)
                            .ackWait(spec.ackWait()).maxDeliver(spec.maxDeliveries() == 0 ? -1 : spec.maxDeliveries())
                            .maxAckPending(spec.maxInFlight()).build();
                    ConsumerContext context = jetStream().getStreamContext(spec.stream()).createOrUpdateConsumer(config);
                    MessageConsumer started = context.consume(io.nats.client.ConsumeOptions.DEFAULT_CONSUME_OPTIONS,
                            dispatcher(), this::onMessage);
                    synchronized (this) {
                        if (closed) {
                            started.stop();
                            return;
                        }
                        consumer = started;
                    }
                    LOG.debugf("JetStream consumer %s on %s (%s) started", spec.name(), spec.stream(), spec.filter());
                    return;
                } catch (IOException | JetStreamApiException | DeliveryUnavailableException e) {
                    LOG.debugf("JetStream consumer %s not started yet (%s); again in %s", spec.name(), e.getMessage(), wait);
                } catch (RuntimeException e) {
                    LOG.warnf("JetStream consumer %s not started (%s); again in %s", spec.name(), e.getMessage(), wait);
                }
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                wait = wait.multipliedBy(2).compareTo(ATTACH_MAX_WAIT) > 0 ? ATTACH_MAX_WAIT : wait.multipliedBy(2);
            }
        }

        /**
         * The consumption's one dispatcher, made at its first attach and kept across restarts (jnats would make a
         * dispatcher, with its thread, for each consume and never end it).
         */
        private synchronized io.nats.client.Dispatcher dispatcher() {
            if (closed) {
                throw new DeliveryUnavailableException("the consumer is closed"); // the attach loop ends
            }
            if (dispatcher == null) {
                try {
                    dispatcher = messaging.newDispatcher().orElseThrow(() -> new DeliveryUnavailableException("JetStream needs NATS"));
                } catch (MessagingUnavailableException e) {
                    throw new DeliveryUnavailableException(e.getMessage());
                }
            }
            return dispatcher;
        }

        /** Stops the running jnats consumer and attaches again; nothing to do while it is (re)attaching or closed. */
        void restart() {
            MessageConsumer running;
            synchronized (this) {
                if (closed || consumer == null) {
                    return;
                }
                running = consumer;
                consumer = null;
            }
            running.stop(); // pulls no more; what its last pull brings is still handed out, in order
            // then closed (its subscription goes; the dispatcher stays): a pull that waited on a restarted server never ends
            Thread.ofVirtual().name("durable-replaced-" + spec.name()).start(() -> {
                try {
                    Thread.sleep(replacedLinger);
                } catch (InterruptedException e) {
                    // closing now
                }
                try {
                    running.close();
                } catch (Exception e) {
                    LOG.debugf("JetStream consumer %s: the replaced one did not close cleanly: %s", spec.name(), e.toString());
                }
            });
            LOG.debugf("JetStream consumer %s on %s: the link came back; pulling again", spec.name(), spec.stream());
            Thread.ofVirtual().name("durable-attach-" + spec.name()).start(this::attach);
        }

        private void onMessage(Message message) {
            if (batcher != null) {
                batcher.accept(new JetStreamDeliveryItem(message)); // on the dispatcher: the order is the stream's
                return;
            }
            // off the jnats dispatcher: a handler may run for minutes; max-ack-pending bounds how many run at once
            Thread.ofVirtual().name("durable-" + spec.name()).start(() -> {
                JetStreamDeliveryItem delivery = new JetStreamDeliveryItem(message);
                try {
                    handler.handle(delivery);
                } catch (Exception e) {
                    LOG.warnf("handler of consumer %s failed on %s (sequence %d): %s", spec.name(), message.getSubject(),
                            delivery.sequence(), e.toString());
                    delivery.nak(HANDLER_FAILED_RETRY);
                }
            });
        }

        @Override
        public void close() {
            MessageConsumer running;
            io.nats.client.Dispatcher own;
            synchronized (this) {
                closed = true;
                running = consumer;
                own = dispatcher;
                dispatcher = null;
            }
            open.remove(this);
            if (running != null) {
                running.stop();
            }
            if (own != null) {
                try {
                    messaging.closeDispatcher(own); // its subscriptions with it; unacked messages are handed out again
                } catch (RuntimeException e) {
                    LOG.debugf("JetStream consumer %s: its dispatcher did not close cleanly: %s", spec.name(), e.toString());
                }
            }
            if (batcher != null) {
                batcher.close();
            }
        }
    }

    private static final class JetStreamDeliveryItem implements Delivery {
        private final Message message;
        private final Map<String, String> headers = new HashMap<>();

        JetStreamDeliveryItem(Message message) {
            this.message = message;
            if (message.hasHeaders()) {
                message.getHeaders().entrySet().forEach(e -> headers.put(e.getKey(), e.getValue().getFirst()));
            }
        }

        @Override
        public String subject() {
            return message.getSubject();
        }

        @Override
        public Map<String, String> headers() {
            return headers;
        }

        @Override
        public byte[] data() {
            return message.getData() == null ? new byte[0] : message.getData();
        }

        @Override
        public long sequence() {
            return message.metaData().streamSequence();
        }

        @Override
        public int attempt() {
            return (int) message.metaData().deliveredCount();
        }

        @Override
        public Instant storedAt() {
            return message.metaData().timestamp().toInstant();
        }

        @Override
        public void ack() {
            try {
                message.ackSync(Duration.ofSeconds(5)); // confirmed: a lost ack would run the message again
            } catch (TimeoutException e) {
                throw new DeliveryUnavailableException("the ack of sequence " + sequence() + " was not confirmed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void ackNoWait() {
            message.ack();
        }

        @Override
        public void nak(Duration delay) {
            if (delay.isZero()) {
                message.nak();
            } else {
                message.nakWithDelay(delay);
            }
        }

        @Override
        public void term() {
            message.term();
        }

        @Override
        public void inProgress() {
            message.inProgress();
        }
    }
}
