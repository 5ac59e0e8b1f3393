package io.netwarden.platform.auth;

import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.http.SourceAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Slows down guessing of the API token, per source (an IPv4 address, or the /64 network of an IPv6 address). Every
 * source has a bucket of {@code burst} wrong tokens that refills by one every {@code refill}. While a source's bucket is
 * empty, none of its requests is evaluated at once: each is held for {@code delay} and only then checked — a right token
 * then goes through, a wrong one gets 429 — and beyond {@code max-delayed} held requests a source gets 429 without its
 * token being looked at. A guesser therefore learns at most {@code max-delayed} verdicts per {@code delay}, however many
 * requests or HTTP/2 streams it sends; an operator with the right token is slowed down, never locked out.
 *
 * <pre>
 *   request ─▶ admit(source) ─▶ EVALUATE (bucket not empty) ─▶ right: go on; wrong: failed(source), 401
 *                            ├─▶ HOLD (empty, under max-delayed) ─▶ after delay: right: go on; wrong: 429
 *                            └─▶ REFUSE (empty, max-delayed held) ─▶ 429 at once, unevaluated, connection closed
 * </pre>
 *
 * <p>Thread safety: one {@link ConcurrentHashMap} of buckets; each bucket is changed under its own monitor; the count of
 * held requests over all sources is atomic. The map is swept of idle buckets when it grows past {@link #MAX_SOURCES}.
 */
@ApplicationScoped
public class FailedAuthLimiter {

    private static final Logger LOG = Logger.getLogger(FailedAuthLimiter.class);
    static final int MAX_SOURCES = 100_000;
    /** Requests held over all sources at once; beyond, every limited source is refused at once. */
    static final int MAX_HELD_IN_ALL = 4096;

    /** What to do with a request before its token is looked at. */
    public enum Admission {
        /** check the token now */
        EVALUATE,
        /** hold it for {@link #delay()}, then check; call {@link #released} afterwards */
        HOLD,
        /** answer 429 now without checking, and close the connection */
        REFUSE
    }

    private final int burst;
    private final long refillNanos;
    private final Duration delay;
    private final int maxDelayed;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger heldInAll = new AtomicInteger();

    @Inject
    FailedAuthLimiter(NetwardenConfig config) {
        this(config.api().failedAuth().burst(), config.api().failedAuth().refill(), config.api().failedAuth().delay(),
                config.api().failedAuth().maxDelayed(), System::nanoTime);
    }

    FailedAuthLimiter(int burst, Duration refill, Duration delay, int maxDelayed, LongSupplier clock) {
        if (burst < 1 || refill.isNegative() || refill.isZero() || delay.isNegative() || maxDelayed < 0) {
            throw new IllegalArgumentException("netwarden.api.failed-auth: burst must be >= 1, refill > 0, delay >= 0,"
                    + " max-delayed >= 0");
        }
        this.burst = burst;
        this.refillNanos = refill.toNanos();
        this.delay = delay;
        this.maxDelayed = maxDelayed;
        this.clock = clock;
    }

    /** How long a request of a source over its limit is held before its token is looked at. */
    public Duration delay() {
        return delay;
    }

    /** How a request from {@code address} is to be treated, before its token is looked at. */
    public Admission admit(InetAddress address) {
        Bucket bucket = buckets.get(SourceAddress.of(address));
        if (bucket == null || !bucket.empty(burst, refillNanos, clock.getAsLong())) {
            return Admission.EVALUATE;
        }
        if (heldInAll.incrementAndGet() > MAX_HELD_IN_ALL) {
            heldInAll.decrementAndGet();
            return Admission.REFUSE;
        }
        if (!bucket.hold(maxDelayed)) {
            heldInAll.decrementAndGet();
            return Admission.REFUSE;
        }
        return Admission.HOLD;
    }

    /** Whether requests from {@code address} are being slowed down now (gRPC refuses them instead). */
    public boolean limited(InetAddress address) {
        Bucket bucket = buckets.get(SourceAddress.of(address));
        return bucket != null && bucket.empty(burst, refillNanos, clock.getAsLong());
    }

    /** A held request of {@code address} has been answered. */
    public void released(InetAddress address) {
        Bucket bucket = buckets.get(SourceAddress.of(address));
        if (bucket != null) {
            bucket.release();
        }
        heldInAll.decrementAndGet();
    }

    /** Counts a wrong token from {@code address}. */
    public void failed(InetAddress address) {
        String source = SourceAddress.of(address);
        if (buckets.size() > MAX_SOURCES) {
            sweep();
        }
        Bucket bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, clock.getAsLong()));
        if (bucket.take(burst, refillNanos, clock.getAsLong()) && bucket.shouldWarn(clock.getAsLong())) {
            LOG.warnf("wrong API tokens from %s: more than %d in a row; its requests are now held %s before they are looked at",
                    source, burst, delay);
        }
    }

    private void sweep() {
        long now = clock.getAsLong();
        buckets.entrySet().removeIf(e -> e.getValue().idle(burst, refillNanos, now));
    }

    int sources() {
        return buckets.size();
    }

    /** Wrong tokens a source may still send before it is slowed down, and its requests held now. */
    private static final class Bucket {
        private double tokens;
        private long updated;
        private long lastWarning = Long.MIN_VALUE;
        private int held;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.updated = now;
        }

        /** Takes one; true when that emptied the bucket. */
        synchronized boolean take(int burst, long refillNanos, long now) {
            refill(burst, refillNanos, now);
            tokens = Math.max(0, tokens - 1);
            return tokens < 1;
        }

        synchronized boolean empty(int burst, long refillNanos, long now) {
            refill(burst, refillNanos, now);
            return tokens < 1;
        }

        synchronized boolean hold(int max) {
            if (held >= max) {
                return false;
            }
            held++;
            return true;
        }

        synchronized void release() {
            held = Math.max(0, held - 1);
        }

        synchronized boolean shouldWarn(long now) {
            if (lastWarning != Long.MIN_VALUE && now - lastWarning < Duration.ofMinutes(1).toNanos()) {
                return false;
            }
            lastWarning = now;
            return true;
        }

        synchronized boolean idle(int burst, long refillNanos, long now) {
            refill(burst, refillNanos, now);
            return tokens >= burst && held == 0;
        }

        private void refill(int burst, long refillNanos, long now) {
            tokens = Math.min(burst, tokens + (double) (now - updated) / refillNanos);
            updated = now;
        }
    }
}
