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
 * Slows down wrong API tokens per source: every source (an IPv4 address, or the /64 of an IPv6 address) has a bucket
 * of {@code burst} failures that refills by one every {@code refill}. A wrong token from a source whose bucket is empty
 * is answered only after {@code delay}, and with 429; a right token is never held back.
 *
 * <pre>
 *   wrong token ─▶ record(source) ─▶ bucket has room? ── yes ─▶ 401 at once
 *                                                      └─ no ──▶ 429 after delay (at most max-delayed per source;
 *                                                                beyond that 429 at once and the connection closed)
 * </pre>
 *
 * <p>Thread safety: one {@link ConcurrentHashMap} of buckets; each bucket is changed under its own monitor. The map is
 * swept of full buckets when it grows past {@link #MAX_SOURCES}, so a spread of sources cannot grow it without bound.
 */
@ApplicationScoped
public class FailedAuthLimiter {

    private static final Logger LOG = Logger.getLogger(FailedAuthLimiter.class);
    static final int MAX_SOURCES = 100_000;

    /** What to do with a failed authentication. */
    public enum Verdict {
        /** answer 401 now */
        REJECT,
        /** answer 429 after {@link #delay()} */
        DELAY,
        /** answer 429 now and close the connection: this source already has too many answers waiting */
        REFUSE
    }

    private final int burst;
    private final long refillNanos;
    private final Duration delay;
    private final int maxDelayed;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

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

    /** How long an answer to a source over its limit is held back. */
    public Duration delay() {
        return delay;
    }

    /** Counts a failed authentication from {@code address} and says how to answer it. */
    public Verdict failed(InetAddress address) {
        String source = sourceOf(address);
        if (buckets.size() > MAX_SOURCES) {
            sweep();
        }
        Bucket bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, clock.getAsLong()));
        Verdict verdict = bucket.take(burst, refillNanos, clock.getAsLong(), maxDelayed);
        if (verdict != Verdict.REJECT && bucket.shouldWarn(clock.getAsLong())) {
            LOG.warnf("failed API authentications from %s exceed %d in a row; answering them with 429 after %s",
                    source, burst, delay);
        }
        return verdict;
    }

    /** A delayed answer to {@code address} has been sent. */
    public void delayedAnswerSent(InetAddress address) {
        Bucket bucket = buckets.get(sourceOf(address));
        if (bucket != null) {
            bucket.delayed.decrementAndGet();
        }
    }

    /** The key a source is counted under: an IPv4 address, or the /64 network of an IPv6 address. */
    static String sourceOf(InetAddress address) {
        return SourceAddress.of(address);
    }

    private void sweep() {
        long now = clock.getAsLong();
        buckets.entrySet().removeIf(e -> e.getValue().idle(burst, refillNanos, now));
    }

    int sources() {
        return buckets.size();
    }

    /** Failures a source may still make before it is slowed down. */
    private static final class Bucket {
        private double tokens;
        private long updated;
        private long lastWarning = Long.MIN_VALUE;
        final AtomicInteger delayed = new AtomicInteger();

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.updated = now;
        }

        synchronized Verdict take(int burst, long refillNanos, long now, int maxDelayed) {
            refill(burst, refillNanos, now);
            if (tokens >= 1) {
                tokens -= 1;
                return Verdict.REJECT;
            }
            if (delayed.incrementAndGet() > maxDelayed) {
                delayed.decrementAndGet();
                return Verdict.REFUSE;
            }
            return Verdict.DELAY;
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
            return tokens >= burst && delayed.get() == 0;
        }

        private void refill(int burst, long refillNanos, long now) {
            tokens = Math.min(burst, tokens + (double) (now - updated) / refillNanos);
            updated = now;
        }
    }
}
