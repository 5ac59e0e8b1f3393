package io.netwarden.platform.messaging.mqtt;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netwarden.platform.concurrent.FairQueue;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One MQTT connection that stays up (the Vert.x MQTT client, MQTT 3.1.1): publishes at QoS 1 confirmed by the
 * broker, subscriptions made again after each reconnect, and a call to its owner after each (re)connect, so that the
 * owner can send again what the broker may have missed (a resync).
 *
 * <pre>
 *   start ─▶ connect ─ refused │ unreachable ─▶ again after 0.5 s, 1 s, 2 s … 30 s (logged once per outage)
 *            └ connected ─▶ subscribe each filter (QoS 1) ─▶ each onConnected callback (its owner resyncs)
 *   broker closes │ network breaks ─▶ connect again, same backoff (back to 0.5 s only after STABLE connected)
 *   message ─▶ larger than max-payload ─▶ dropped, counted (64 KiB beyond it, the client resets the connection;
 *            retained, it comes again with every connect: the backoff keeps that to one try per 30 s, and a warning
 *            says how to clear it)
 *            ─▶ queue by source (the topic, or what fairBy makes of it; bounded per source and in all; full ─▶
 *               dropped, counted) ─▶ one handler thread, the sources in turn, each source's messages in arrival
 *               order: every subscription whose filter matches; a handler that throws is logged, the next goes on
 *   publish(topic, payload) ─▶ future: done when the broker's PUBACK comes; failed when not connected, or no
 *            PUBACK within {@link #PUBACK_WAIT}
 * </pre>
 *
 * Thread safety: safe from any thread. Vert.x calls come in on the client's event loop; handlers run on the link's one
 * handler thread (a virtual thread), never on the event loop, so they may block (a database write).
 */
public final class MqttLink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MqttLink.class);
    static final Duration PUBACK_WAIT = Duration.ofSeconds(10);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);
    /** A connection that lasted this long resets the backoff; one lost sooner goes on doubling it. */
    static final Duration STABLE = Duration.ofSeconds(10);
    /** Publishes sent and not confirmed at once; beyond, a publish fails at once. */
    static final int MAX_IN_FLIGHT = 1000;
    /** Messages waiting for the handler thread at most; beyond, new ones are dropped (and counted). */
    static final int QUEUE = 10_000;
    /** Messages of one source ({@link #fairBy}) waiting at most: a flood from one leaves room for the others. */
    static final int PER_SOURCE = QUEUE / 4;

    /** Handles a message of a subscribed topic. */
    @FunctionalInterface
    public interface Handler {
        void handle(String topic, byte[] payload) throws Exception;
    }

    private record Subscription(String filter, Handler handler) {
    }

    private record Received(String topic, byte[] payload) {
    }

    private final Vertx vertx;
    private final MqttSettings settings;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Runnable> onConnected = new CopyOnWriteArrayList<>();
    private final Map<Integer, CompletableFuture<Void>> unconfirmed = new ConcurrentHashMap<>();
    private final FairQueue<Received> received = new FairQueue<>(PER_SOURCE, QUEUE);
    private volatile Function<String, String> sourceOf = topic -> topic;
    private final AtomicLong dropped = new AtomicLong();
    private volatile MqttClient client;
    private volatile Context context;
    private volatile boolean closed;
    private volatile boolean connected;
    private Duration retry = FIRST_RETRY;
    private long connectedAt;
    private boolean tooLargeLogged;
    private boolean outageLogged;
    private Thread handlerThread;

    public MqttLink(Vertx vertx, MqttSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
    }

    /**
     * Subscribes {@code filter} (MQTT wildcards {@code +} and {@code #}) at QoS 1, now if connected and after every
     * reconnect. Call before {@link #start} for filters that must not miss the first messages.
     */
    public void subscribe(String filter, Handler handler) {
        MqttTopics.requireValidFilter(filter);
        subscriptions.add(new Subscription(filter, handler));
        MqttClient current = client;
        if (connected && current != null) {
            context.runOnContext(v -> current.subscribe(filter, MqttQoS.AT_LEAST_ONCE.value()));
        }
    }

    /** Runs {@code resync} after every connect, the first included (on the handler thread, after the subscriptions). */
    public void onConnected(Runnable resync) {
        onConnected.add(resync);
    }

    public synchronized void start() {
        if (client != null || closed) {
            return;
        }
        context = vertx.getOrCreateContext();
        handlerThread = Thread.ofVirtual().name("mqtt-handler-" + settings.clientId()).start(this::handleLoop);
        context.runOnContext(v -> connect());
    }

    public boolean connected() {
        return connected;
    }

    /** Messages waiting for the handler now. */
    int waiting() {
        return received.size();
    }

    /** Messages dropped so far: too large, or the handler too far behind. */
    public long dropped() {
        return dropped.get();
    }

    public MqttSettings settings() {
        return settings;
    }

    /**
     * Which messages share a turn and a part of the queue (default: the topic). The cluster's link takes the node a
     * topic names, so that one node's flood delays and crowds out only its own messages. Set before {@link #start}.
     */
    public void fairBy(Function<String, String> source) {
        this.sourceOf = source;
    }

    /**
     * Publishes at QoS 1. The future ends when the broker confirmed it (PUBACK), or fails with
     * {@link MqttUnavailableException} when there is no connection or no confirmation within {@link #PUBACK_WAIT}.
     */
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        MqttTopics.requireValidTopic(topic);
        CompletableFuture<Void> done = new CompletableFuture<>();
        MqttClient current = client;
        if (!connected || current == null) {
            done.completeExceptionally(new MqttUnavailableException("not connected to the MQTT broker "
                    + settings.describe()));
            return done;
        }
        context.runOnContext(v -> current.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
                .onSuccess(id -> unconfirmed.put(id, done)) // before its PUBACK: that is read on this same event loop
                .onFailure(e -> done.completeExceptionally(new MqttUnavailableException("not sent to the MQTT broker: "
                        + e.getMessage()))));
        return done.orTimeout(PUBACK_WAIT.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            if (e instanceof java.util.concurrent.TimeoutException) {
                return CompletableFuture.failedFuture(new MqttUnavailableException("the MQTT broker did not confirm"
                        + " within " + PUBACK_WAIT.toSeconds() + " s"));
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    /** Runs on the event loop. */
    private void connect() {
        if (closed) {
            return;
        }
        MqttClient next = MqttClient.create(vertx, options());
        client = next;
        next.publishHandler(this::accept);
        next.publishCompletionHandler(id -> {
            CompletableFuture<Void> done = unconfirmed.remove(id);
            if (done != null) {
                done.complete(null);
            }
        });
        next.closeHandler(v -> lost(next, "the connection closed"));
        next.exceptionHandler(this::failed);
        next.connect(settings.port(), settings.host()).onComplete(result -> {
            if (closed) {
                next.disconnect();
                return;
            }
            if (result.failed()) {
                retryLater("cannot connect: " + result.cause().getMessage());
                return;
            }
            connected = true;
            connectedAt = System.nanoTime();
            LOG.infof("MQTT: connected to %s as %s%s", settings.describe(), settings.clientId(),
                    outageLogged ? " again" : "");
            for (Subscription subscription : subscriptions) {
                next.subscribe(subscription.filter(), MqttQoS.AT_LEAST_ONCE.value());
            }
            received.offer("", RESYNC); // on the handler thread, in turn with what arrived before
        });
    }

    /** Runs on the event loop: the connection {@code lost} ended; unconfirmed publishes fail; connect again. */
    private void lost(MqttClient lost, String why) {
        if (lost != client) {
            return;
        }
        if (connected && System.nanoTime() - connectedAt >= STABLE.toNanos()) {
            retry = FIRST_RETRY;
            outageLogged = false; // a new outage: warned about again
        }
        connected = false;
        unconfirmed.values().forEach(f -> f.completeExceptionally(new MqttUnavailableException("the MQTT connection was"
                + " lost before the broker confirmed")));
        unconfirmed.clear();
        if (!closed) {
            retryLater(why);
        }
    }

    /** Runs on the event loop: an error of the connection (the client closes it when it cannot go on). */
    private void failed(Throwable e) {
        if (tooLong(e) && !tooLargeLogged) {
            tooLargeLogged = true; // once: a retained one comes with every connect
            LOG.warnf("MQTT %s: the broker sent a message larger than %d bytes (max-payload and 64 KiB); the client cannot"
                    + " skip it and resets the connection. If it is retained, it comes again with every connect: clear it"
                    + " on the broker (an empty retained message on its topic), or raise the max-payload setting",
                    settings.describe(), settings.maxPayloadBytes() + 64 * 1024);
            return;
        }
        LOG.debugf("MQTT %s: %s", settings.describe(), e.toString());
    }

    private static boolean tooLong(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
                return true;
            }
        }
        return false;
    }

    private void retryLater(String why) {
        if (!outageLogged) {
            LOG.warnf("MQTT %s: %s; trying again (every %s at most)", settings.describe(), why, LAST_RETRY);
            outageLogged = true;
        } else {
            LOG.debugf("MQTT %s: %s", settings.describe(), why);
        }
        long wait = retry.toMillis();
        retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
        vertx.setTimer(wait, id -> context.runOnContext(v -> connect()));
    }

    private MqttClientOptions options() {
        MqttClientOptions options = new MqttClientOptions().setClientId(settings.clientId()).setCleanSession(true)
                .setAutoKeepAlive(true).setKeepAliveInterval((int) Math.max(1, settings.keepAlive().toSeconds()))
                // a packet beyond this resets the connection (the client cannot skip it); one between the payload limit
                // and this is dropped and counted
                .setMaxMessageSize(settings.maxPayloadBytes() + 64 * 1024)
                .setMaxInflightQueue(MAX_IN_FLIGHT);
        options.setConnectTimeout(5000);
        settings.username().ifPresent(options::setUsername);
        settings.password().ifPresent(p -> options.setPassword(p.reveal()));
        if (settings.tls()) {
            options.setSsl(true);
            options.setHostnameVerificationAlgorithm("HTTPS");
            settings.caFile().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
            settings.certFile().ifPresent(cert -> options.setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(cert.toString()).setKeyPath(settings.keyFile().orElseThrow().toString())));
        }
        return options;
    }

    /** Runs on the event loop: queues a message for the handler thread. */
    private void accept(MqttPublishMessage message) {
        Buffer payload = message.payload();
        if (payload.length() > settings.maxPayloadBytes()) {
            count(() -> "a message on " + MqttTopics.printable(message.topicName()) + " of " + payload.length()
                    + " bytes is larger than " + settings.maxPayloadBytes() + "; dropped");
            return;
        }
        String topic = message.topicName();
        if (!received.offer(source(topic), new Received(topic, payload.getBytes()))) {
            count(() -> "the handler is behind (" + received.size() + " messages waiting, at most " + PER_SOURCE
                    + " from one source); a message on " + MqttTopics.printable(topic) + " dropped");
        }
    }

    private String source(String topic) {
        try {
            String source = sourceOf.apply(topic);
            return source == null ? topic : source;
        } catch (RuntimeException e) {
            return topic;
        }
    }

    private void count(java.util.function.Supplier<String> what) {
        long n = dropped.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1, 2, 4, 8 …: a flood does not flood the log
            LOG.warnf("MQTT: %s (%d dropped so far)", what.get(), n);
        }
    }

    private static final Received RESYNC = new Received("", new byte[0]);
    private static final Received STOP = new Received("", new byte[0]);

    private void handleLoop() {
        while (true) {
            Received next;
            try {
                next = received.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == STOP) {
                return;
            }
            if (next == RESYNC) {
                onConnected.forEach(this::runSafely);
                continue;
            }
            for (Subscription subscription : subscriptions) {
                if (MqttTopics.matches(subscription.filter(), next.topic())) {
                    try {
                        subscription.handler().handle(next.topic(), next.payload());
                    } catch (Exception | LinkageError | AssertionError e) {
                        LOG.warnf("MQTT: the handler of %s failed on a message on %s: %s", subscription.filter(),
                                MqttTopics.printable(next.topic()), e.toString());
                    }
                }
            }
        }
    }

    private void runSafely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warnf("MQTT: a resync after connecting failed: %s", e.toString());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        connected = false;
        MqttClient current = client;
        if (current != null && context != null) {
            CompletableFuture<Void> gone = new CompletableFuture<>();
            context.runOnContext(v -> {
                if (current.isConnected()) {
                    current.disconnect().onComplete(r -> gone.complete(null));
                } else {
                    gone.complete(null);
                }
            });
            try {
                gone.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debugf("MQTT: disconnect from %s not confirmed: %s", settings.describe(), e.toString());
            }
        }
        unconfirmed.values().forEach(f -> f.completeExceptionally(new MqttUnavailableException("the MQTT link closed")));
        received.clear();
        received.offer("", STOP);
    }
}
