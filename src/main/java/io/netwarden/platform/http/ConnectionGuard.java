package io.netwarden.platform.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.netwarden.platform.config.NetwardenConfig;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Bounds what connections to the HTTP port can hold, before a single byte of HTTP is parsed: Vert.x counts (and caps) a
 * connection only once it has sent data, so silent and slow-drip connections could otherwise take every file
 * descriptor of the process, and then nobody, health probes included, gets an answer.
 *
 * <pre>
 *   accept ─▶ [guard, first handler of the listening channel]
 *               ├─ 90% of max-connections open ─▶ connections idle for 2 s closed first (makeRoom)
 *               ├─ at max-connections ─▶ the oldest connection that never sent a request gives its place
 *                  (evictOldestSilent)
 *               ├─ over max-connections or max-connections-per-source ─▶ closed at once (fd freed)
 *               └─ admitted ─▶ counted until it closes; timer: no complete request within request-header-timeout ─▶ closed
 *   first request routed ─▶ marks its connection (the timer then lets it be; idle-timeout takes over)
 * </pre>
 *
 * An admitted connection also gets {@link EmptyErrorBodies}, which gives Vert.x' own answers to unparsable requests a
 * JSON body.
 *
 * <p>Quarkus does not hand out the listening channel, so it is taken from Vert.x' shared-server map (internal API, read
 * once at start, see {@link #attach}); if that ever fails, start-up logs a warning and the port is protected by the idle
 * timeout only. gRPC shares the port and its requests are routed too, so its connections are marked the same way.
 *
 * <p>Thread safety: the guard handler runs on the acceptor's event loop; releases and timers run on connection event
 * loops; all shared counts are in {@link ConnectionLimits} (atomic) and atomic counters here.
 */
@ApplicationScoped
public class ConnectionGuard {

    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);
    static final String HANDLER = "netwarden-connection-guard";
    private static final AttributeKey<Boolean> REQUEST_SEEN = AttributeKey.valueOf("netwarden.request-seen");
    /** Requests (HTTP/2: streams) being answered on a connection now, and when one last began or ended. */
    private static final AttributeKey<Activity> ACTIVITY = AttributeKey.valueOf("netwarden.activity");
    /** Under pressure (the port near max-connections), a connection idle this long is closed to make room. */
    static final Duration IDLE_UNDER_PRESSURE = Duration.ofSeconds(2);
    private static final Duration EVICT_AT_MOST_EVERY = Duration.ofMillis(250);
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    /** Why a connection was closed by the guard; the {@code reason} tag of the metric. */
    enum Reason {
        total, per_source, header_timeout, idle_under_pressure
    }

    /** What a connection is doing; updated by the request marker, read by the eviction. */
    static final class Activity {
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final AtomicLong lastNanos = new AtomicLong(System.nanoTime());
        /** Its place in the limits was given back (exactly once: by an eviction or when it closed). */
        final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        final String source;

        Activity(String source) {
            this.source = source;
        }
    }

    /**
     * Admitted connections in the order they came; only the head is ever looked at. Entries of connections that closed
     * or sent a request are dropped when they reach the head, so the queue holds about the connections of the last
     * request-header-timeout, and finding the oldest silent one costs O(1) amortised.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Channel> byAge = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger byAgeSize = new java.util.concurrent.atomic.AtomicInteger();

    /** Connections admitted and still open. */
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastEviction = new AtomicLong(System.nanoTime() - EVICT_AT_MOST_EVERY.toNanos());

    @Inject
    NetwardenConfig config;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    private volatile ConnectionLimits limits;
    private Duration headerTimeout;
    private final Map<Reason, Counter> closed = new EnumMap<>(Reason.class);
    private final Map<Reason, AtomicLong> lastWarning = new EnumMap<>(Reason.class);
    private final Map<Reason, AtomicLong> suppressed = new EnumMap<>(Reason.class);

    /** Marks every connection that got a request through; runs before every other route. */
    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::markRequest);
    }

    /** Quarkus fires these asynchronously once the port listens. */
    void onHttp(@ObservesAsync HttpServerStart start) {
        attach();
    }

    void onHttps(@ObservesAsync HttpsServerStart start) {
        attach();
    }

    private synchronized void init() {
        if (limits != null) {
            return;
        }
        NetwardenConfig.Http http = config.http();
        int max = http.maxConnections() > 0 ? http.maxConnections() : automaticLimit();
        limits = new ConnectionLimits(max, Math.max(0, http.maxConnectionsPerSource()));
        headerTimeout = http.requestHeaderTimeout();
        for (Reason reason : Reason.values()) {
            closed.put(reason, Counter.builder("netwarden.http.connections.rejected").tag("reason", reason.name())
                    .description("HTTP connections closed by the connection guard").register(registry));
            lastWarning.put(reason, new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos()));
            suppressed.put(reason, new AtomicLong());
        }
        Gauge.builder("netwarden.http.connections.open", limits, ConnectionLimits::open)
                .description("HTTP connections open (counted from accept)").register(registry);
    }

    /**
     * Puts the guard in front of the acceptor of every HTTP server Vert.x shares (the Quarkus HTTP and HTTPS ports).
     * Idempotent.
     */
    synchronized void attach() {
        init();
        int attached = 0;
        try {
            for (HttpServerImpl server : ((VertxInternal) vertx).sharedHttpServers().values()) {
                Channel listening = listeningChannel(server);
                if (listening != null && listening.pipeline().get(HANDLER) == null) {
                    listening.pipeline().addFirst(HANDLER, new Acceptor());
                    attached++;
                    LOG.infof("HTTP connection limits on %s: %d open at most, %s per source, request head within %s",
                            listening.localAddress(), limits.maxTotal(),
                            limits.maxPerSource() == 0 ? "no limit" : Integer.toString(limits.maxPerSource()),
                            headerTimeout.isZero() ? "no limit" : headerTimeout);
                }
            }
        } catch (RuntimeException | ReflectiveOperationException e) {
            LOG.warnf("HTTP connection limits could not be put in place (%s); silent connections are bounded only by"
                    + " quarkus.http.idle-timeout", e.toString());
            return;
        }
        if (attached == 0 && ((VertxInternal) vertx).sharedHttpServers().isEmpty()) {
            LOG.warn("HTTP connection limits: no HTTP server found to protect");
        }
    }

    @SuppressWarnings("unchecked")
    private static Channel listeningChannel(HttpServerImpl server) throws ReflectiveOperationException {
        Field bind = TCPServerBase.class.getDeclaredField("bindFuture");
        bind.setAccessible(true);
        Future<Channel> future = (Future<Channel>) bind.get(server);
        return future == null || !future.succeeded() ? null : future.result();
    }

    private void markRequest(RoutingContext rc) {
        HttpConnection connection = rc.request().connection();
        if (connection instanceof ConnectionBase base && base.channel() != null) {
            Channel channel = base.channel(); // HTTP/2: the TCP connection's channel
            channel.attr(REQUEST_SEEN).set(Boolean.TRUE);
            Activity activity = channel.attr(ACTIVITY).get();
            if (activity != null) {
                activity.inFlight.incrementAndGet();
                activity.lastNanos.set(System.nanoTime());
                rc.addEndHandler(done -> {
                    activity.inFlight.decrementAndGet();
                    activity.lastNanos.set(System.nanoTime());
                });
            }
        }
        rc.next();
    }

    private void release(Activity activity) {
        if (activity.released.compareAndSet(false, true)) {
            limits.release(activity.source);
        }
    }

    /**
     * At the limit, gives the place of the oldest connection that has not sent a request yet to the one just accepted: a
     * client with something to say gets in ahead of silent ones (from many addresses, silent connections could otherwise
     * hold every place until the header timeout). Its place is given back at once, before it has closed.
     */
    private boolean evictOldestSilent() {
        for (Channel head = byAge.poll(); head != null; head = byAge.poll()) {
            byAgeSize.decrementAndGet();
            if (silent(head)) {
                release(head.attr(ACTIVITY).get());
                refused(Reason.idle_under_pressure, head);
                head.close();
                return true;
            }
        }
        return false;
    }

    /** Open, holding a place, and no request yet. */
    private static boolean silent(Channel channel) {
        Activity activity = channel.attr(ACTIVITY).get();
        return activity != null && !activity.released.get() && channel.isOpen()
                && !Boolean.TRUE.equals(channel.attr(REQUEST_SEEN).get());
    }

    /** Drops entries of connections that are no longer silent from the head of {@link #byAge}. */
    private void trimByAge() {
        for (Channel head = byAge.peek(); head != null && !silent(head); head = byAge.peek()) {
            if (byAge.remove(head)) {
                byAgeSize.decrementAndGet();
            }
        }
    }

    /**
     * Near the limit, makes room: closes connections that answer nothing now and have been idle (or silent since they
     * were opened) for {@link #IDLE_UNDER_PRESSURE}. Without this, connections from many sources that sent one request
     * and then idled (for up to idle-timeout) could hold every place, and nobody else would get in. At most every
     * {@link #EVICT_AT_MOST_EVERY}; runs on the acceptor thread, a pass over the open connections.
     */
    private void makeRoom() {
        long now = System.nanoTime();
        long last = lastEviction.get();
        if (now - last < EVICT_AT_MOST_EVERY.toNanos() || !lastEviction.compareAndSet(last, now)) {
            return;
        }
        long idleSince = now - IDLE_UNDER_PRESSURE.toNanos();
        for (Channel channel : open) {
            Activity activity = channel.attr(ACTIVITY).get();
            if (activity != null && activity.inFlight.get() <= 0 && activity.lastNanos.get() - idleSince < 0) {
                refused(Reason.idle_under_pressure, channel);
                channel.close();
            }
        }
    }

    private static int automaticLimit() {
        long fds = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            fds = unix.getMaxFileDescriptorCount();
        }
        return fds <= 0 ? 4096 : (int) Math.max(64, Math.min(10_000, fds / 2));
    }

    private void refused(Reason reason, Channel child) {
        closed.get(reason).increment();
        AtomicLong last = lastWarning.get(reason);
        long now = System.nanoTime();
        long before = last.get();
        if (now - before >= WARN_EVERY.toNanos() && last.compareAndSet(before, now)) {
            long more = suppressed.get(reason).getAndSet(0);
            LOG.warnf("HTTP connection from %s closed: %s%s", child.remoteAddress(), switch (reason) {
                case total -> "the port has " + limits.maxTotal() + " connections open (netwarden.http.max-connections)";
                case per_source -> "its source has " + limits.maxPerSource() + " connections open"
                        + " (netwarden.http.max-connections-per-source)";
                case header_timeout -> "no complete request within " + headerTimeout
                        + " (netwarden.http.request-header-timeout)";
                case idle_under_pressure -> "idle for " + IDLE_UNDER_PRESSURE.toSeconds() + " s while the port is near its "
                        + limits.maxTotal() + " connections (netwarden.http.max-connections)";
            }, more == 0 ? "" : "; " + more + " more closed for this reason since the last warning");
        } else {
            suppressed.get(reason).incrementAndGet();
        }
    }

    /** First handler of a listening channel: sees each accepted connection before Vert.x does. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Channel child)) {
                ctx.fireChannelRead(msg);
                return;
            }
            String source = SourceAddress.of(child.remoteAddress());
            if (limits.open() * 10L >= limits.maxTotal() * 9L) {
                makeRoom(); // 90% full: close idle connections before the limit turns new ones away
            }
            ConnectionLimits.Refusal refusal = limits.admit(source);
            if (refusal == ConnectionLimits.Refusal.TOTAL && evictOldestSilent()) {
                refusal = limits.admit(source); // the place of a connection that never said anything
            }
            if (refusal != null) {
                refused(refusal == ConnectionLimits.Refusal.TOTAL ? Reason.total : Reason.per_source, child);
                child.unsafe().closeForcibly();
                return;
            }
            Activity activity = new Activity(source);
            child.attr(ACTIVITY).set(activity);
            child.pipeline().addFirst(EmptyErrorBodies.NAME, EmptyErrorBodies.INSTANCE);
            open.add(child);
            byAge.add(child);
            if (byAgeSize.incrementAndGet() > limits.maxTotal()) {
                trimByAge();
            }
            child.closeFuture().addListener(done -> {
                open.remove(child);
                release(activity);
            });
            if (!headerTimeout.isZero()) {
                ScheduledFuture<?> deadline = ctx.executor().schedule(() -> {
                    if (child.isOpen() && !Boolean.TRUE.equals(child.attr(REQUEST_SEEN).get())) {
                        refused(Reason.header_timeout, child);
                        child.close();
                    }
                }, headerTimeout.toNanos(), TimeUnit.NANOSECONDS);
                child.closeFuture().addListener(done -> deadline.cancel(false));
            }
            ctx.fireChannelRead(msg);
        }
    }
}
