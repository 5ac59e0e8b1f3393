package io.netwarden.platform.messaging;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.netwarden.platform.persistence.DatabaseErrors;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Messaging over one jnats connection per process.
 *
 * <pre>
 *   start ─▶ connect (bounded by connect-timeout) ─┬─ ok ─▶ subscriptions open
 *                                                  └─ fail ─▶ keep retrying in the background (readiness DOWN)
 *   link lost ─▶ jnats buffers publishes, reconnects with doubling waits ─▶ RECONNECTED ─▶ onRestored("nats")
 * </pre>
 *
 * Thread safety: the connection reference is volatile and set once; link state changes and opening subscriptions
 * happen under this object's monitor, so a subscription made while the first connect is pending is opened exactly once.
 * Each subscription has its own jnats dispatcher (one thread, messages in order).
 */
public final class NatsMessaging implements Messaging {

    private static final Logger LOG = Logger.getLogger(NatsMessaging.class);
    private static final Pattern CREDENTIALS = Pattern.compile("(?<=://)[^@/]+@");

    private final String urls;
    private final String connectionName;
    private final Duration connectTimeout;
    private final Duration initialWait;
    private final Duration maxWait;
    private final NatsSecurity security;
    private final Consumer<String> onRestored;
    private final List<NatsSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile Connection connection;
    /** The JetStream context of {@link #connection}, made once (it is thread-safe and every publish would make one). */
    private volatile JetStream jetStream;
    private boolean linkUp;
    private boolean startedDisconnected;

    /**
     * @param onRestored called with {@code "nats"} after the link came back (reconnect, or a late first connect)
     */
    public NatsMessaging(String urls, String connectionName, Duration connectTimeout, Duration initialWait, Duration maxWait,
            NatsSecurity security, Consumer<String> onRestored) {
        this.urls = urls;
        this.connectionName = connectionName;
        this.connectTimeout = connectTimeout;
        this.initialWait = initialWait;
        this.maxWait = maxWait;
        this.security = security;
        this.onRestored = onRestored;
    }

    /** The URL list with any user:password part replaced, for logs and health output. */
    public static String redact(String urls) {
        return CREDENTIALS.matcher(urls).replaceAll("<secret>@");
    }

    private Options options() {
        Options.Builder builder = Options.builder();
        security.apply(builder);
        return builder
                .servers(urls.split("\\s*,\\s*"))
                .connectionName(connectionName)
                .connectionTimeout(connectTimeout)
                .maxReconnects(-1)
                .reconnectDelayHandler(this::backoff)
                .reportNoResponders()
                .connectionListener(listener())
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        LOG.warnf("NATS error: %s", error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        LOG.debugf("NATS connection exception: %s", exp.toString());
                    }
                })
                .build();
    }

    /** Doubling waits from the initial wait up to the maximum, so a dead server is not hammered. */
    Duration backoff(long attempt) {
        long shift = Math.min(Math.max(attempt - 1, 0), 20);
        long millis = Math.min(initialWait.toMillis() << shift, maxWait.toMillis());
        return Duration.ofMillis(millis);
    }

    private ConnectionListener listener() {
        return (conn, type) -> {
            switch (type) {
                // a first connect made by the background retry loop is reported as RECONNECTED
                case CONNECTED, RECONNECTED -> linkUp(conn);
                case DISCONNECTED -> linkDown();
                case CLOSED -> LOG.debug("NATS connection closed");
                default -> LOG.debugf("NATS event %s", type);
            }
        };
    }

    private synchronized void linkUp(Connection conn) {
        if (linkUp) {
            return;
        }
        linkUp = true;
        boolean first = connection == null;
        if (first) {
            connection = conn;
            subscriptions.forEach(s -> s.open(conn));
        }
        LOG.infof("NATS %s %s as %s (%s)", first ? "connected to" : "reconnected to",
                redact(String.valueOf(conn.getConnectedUrl())), connectionName, security.description());
        if (!first || startedDisconnected) {
            onRestored.accept("nats");
        }
    }

    private synchronized void linkDown() {
        if (linkUp) {
            linkUp = false;
            LOG.warnf("NATS link lost; reconnecting to %s", redact(urls));
        }
    }

    @Override
    public void start() {
        Options options = options();
        try {
            linkUp(Nats.connect(options));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("NATS at %s is not reachable (%s); retrying in the background, not ready until connected",
                    redact(urls), e.getMessage());
            startedDisconnected = true; // roles started without NATS: the first connect counts as a restore
            try {
                Nats.connectAsynchronously(options, true);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
    }

    @Override
    public void stop(Duration drain) {
        Connection conn = connection;
        if (conn == null) {
            return;
        }
        try {
            if (conn.getStatus() == Connection.Status.CONNECTED) {
                conn.drain(drain).get(drain.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            LOG.debugf("NATS drain did not finish: %s", e.toString());
        } finally {
            try {
                conn.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Connection requireConnection() {
        Connection conn = connection;
        if (conn == null) {
            throw new MessagingUnavailableException("NATS at " + redact(urls) + " has not been reached yet");
        }
        return conn;
    }

    @Override
    public void publish(BusMessage message) {
        requireConnection().publish(toNats(message));
    }

    @Override
    public Subscription subscribe(String filter, Optional<String> queueGroup, Consumer<BusMessage> handler) {
        Subjects.requireValidFilter(filter);
        queueGroup.ifPresent(Subjects::requireValidSubject);
        NatsSubscription subscription = new NatsSubscription(filter, queueGroup, handler);
        synchronized (this) {
            subscriptions.add(subscription);
            if (connection != null) {
                subscription.open(connection);
            }
        }
        return subscription;
    }

    @Override
    public CompletableFuture<BusMessage> request(BusMessage request, Duration timeout) {
        Connection conn;
        try {
            conn = requireConnection();
        } catch (MessagingUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        return conn.requestWithTimeout(toNats(request), timeout)
                .thenApply(NatsMessaging::fromNats)
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof JetStreamStatusException status && status.getStatus().isNoResponders()) {
                        return CompletableFuture.failedFuture(new NoRespondersException(request.subject()));
                    }
                    if (cause instanceof java.util.concurrent.CancellationException) {
                        return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException(
                                "no reply on " + request.subject() + " within " + timeout));
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    @Override
    public boolean connected() {
        Connection conn = connection;
        return conn != null && conn.getStatus() == Connection.Status.CONNECTED;
    }

    @Override
    public String description() {
        return "NATS " + redact(urls);
    }

    @Override
    public Optional<JetStream> jetStream() {
        try {
            JetStream made = jetStream;
            if (made == null) {
                made = requireConnection().jetStream();
                jetStream = made; // the connection is set once: its context never goes stale
            }
            return Optional.of(made);
        } catch (IOException e) {
            throw new MessagingUnavailableException("JetStream is not available: " + e.getMessage());
        }
    }

    @Override
    public Optional<io.nats.client.Dispatcher> newDispatcher() {
        return Optional.of(requireConnection().createDispatcher());
    }

    @Override
    public void closeDispatcher(io.nats.client.Dispatcher dispatcher) {
        Connection conn = connection;
        if (conn != null) {
            conn.closeDispatcher(dispatcher);
        }
    }

    @Override
    public Optional<JetStreamManagement> jetStreamManagement() {
        try {
            return Optional.of(requireConnection().jetStreamManagement());
        } catch (IOException e) {
            throw new MessagingUnavailableException("JetStream is not available: " + e.getMessage());
        }
    }

    private static Message toNats(BusMessage message) {
        NatsMessage.Builder builder = NatsMessage.builder().subject(message.subject()).data(message.data());
        message.replyTo().ifPresent(builder::replyTo);
        if (!message.headers().isEmpty()) {
            Headers headers = new Headers();
            message.headers().forEach(headers::put);
            builder.headers(headers);
        }
        return builder.build();
    }

    private static BusMessage fromNats(Message message) {
        Map<String, String> headers = new HashMap<>();
        if (message.hasHeaders()) {
            message.getHeaders().entrySet().forEach(e -> headers.put(e.getKey(), e.getValue().getFirst()));
        }
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        return new BusMessage(message.getSubject(), Optional.ofNullable(message.getReplyTo()), headers, data);
    }

    private final class NatsSubscription implements Subscription {
        final String filter;
        final Optional<String> queueGroup;
        final Consumer<BusMessage> handler;
        volatile Dispatcher dispatcher;
        volatile boolean closed;

        NatsSubscription(String filter, Optional<String> queueGroup, Consumer<BusMessage> handler) {
            this.filter = filter;
            this.queueGroup = queueGroup;
            this.handler = handler;
        }

        void open(Connection conn) {
            if (closed || dispatcher != null) {
                return;
            }
            Dispatcher d = conn.createDispatcher(message -> {
                try {
                    handler.accept(fromNats(message));
                } catch (RuntimeException e) {
                    LOG.errorf(DatabaseErrors.loggable(e), "handler for %s failed on a message to %s", filter, message.getSubject());
                }
            });
            queueGroup.ifPresentOrElse(q -> d.subscribe(filter, q), () -> d.subscribe(filter));
            dispatcher = d;
        }

        @Override
        public void close() {
            closed = true;
            subscriptions.remove(this);
            Dispatcher d = dispatcher;
            Connection conn = connection;
            if (d != null && conn != null) {
                conn.closeDispatcher(d);
            }
        }
    }
}
