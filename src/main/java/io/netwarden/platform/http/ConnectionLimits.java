package io.netwarden.platform.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections in total and per source, and admits a new one only while both are under their limits.
 * Every admitted connection must be {@link #release released} exactly once.
 *
 * <p>Thread safety: admissions come from the acceptor thread, releases from any event loop. The total is an atomic
 * counter; each source's count is changed inside {@link ConcurrentHashMap#compute}, which also removes a source when
 * its count drops to zero, so the map holds only sources with open connections.
 */
public final class ConnectionLimits {

    /** Why a connection was turned away. */
    public enum Refusal {
        /** the process has {@code max-connections} open */
        TOTAL,
        /** its source has {@code max-connections-per-source} open */
        PER_SOURCE
    }

    private final int maxTotal;
    private final int maxPerSource;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, Integer> perSource = new ConcurrentHashMap<>();

    /** {@code maxPerSource} 0: no per-source limit. */
    public ConnectionLimits(int maxTotal, int maxPerSource) {
        if (maxTotal < 1 || maxPerSource < 0) {
            throw new IllegalArgumentException("max-connections must be >= 1 and max-connections-per-source >= 0");
        }
        this.maxTotal = maxTotal;
        this.maxPerSource = maxPerSource;
    }

    /** Admits a connection from {@code source}: null, or why it is refused (then nothing was counted). */
    public Refusal admit(String source) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Refusal.TOTAL;
        }
        if (maxPerSource == 0) {
            return null;
        }
        boolean[] admitted = {false};
        perSource.compute(source, (key, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerSource) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return Refusal.PER_SOURCE;
        }
        return null;
    }

    /** An admitted connection from {@code source} has closed. */
    public void release(String source) {
        total.decrementAndGet();
        if (maxPerSource > 0) {
            perSource.computeIfPresent(source, (key, count) -> count <= 1 ? null : count - 1);
        }
    }

    public int open() {
        return total.get();
    }

    public int open(String source) {
        return perSource.getOrDefault(source, 0);
    }

    public int maxTotal() {
        return maxTotal;
    }

    public int maxPerSource() {
        return maxPerSource;
    }

    int sources() {
        return perSource.size();
    }
}
