package io.netwarden.platform.concurrent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} takes in each second of the clock (a fixed window: the count starts again when the second
 * changes), for work that a flood must not start without bound — queries, lookups, requests to another process.
 *
 * <p>Thread safety: lock-free; at a second's turn a few takes of the old second may count in the new one.
 */
public final class PerSecondBudget {

    private final int perSecond;
    private final LongSupplier nanos;
    private final AtomicLong second = new AtomicLong(Long.MIN_VALUE);
    private final AtomicInteger used = new AtomicInteger();

    public PerSecondBudget(int perSecond) {
        this(perSecond, System::nanoTime);
    }

    PerSecondBudget(int perSecond, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.nanos = nanos;
    }

    /** Whether one more is allowed this second (and counts it). */
    public boolean take() {
        long now = nanos.getAsLong() / 1_000_000_000L;
        long window = second.get();
        if (window != now && second.compareAndSet(window, now)) {
            used.set(0);
        }
        return used.incrementAndGet() <= perSecond;
    }
}
