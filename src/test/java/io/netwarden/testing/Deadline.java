package io.netwarden.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits for a state, not for a time: polls a probe until its value satisfies the condition or the deadline passes. */
public final class Deadline {

    private static final Duration POLL = Duration.ofMillis(50);

    private Deadline() {
    }

    /**
     * Returns the first value of {@code probe} that {@code done} accepts. Fails after {@code within}, saying what it
     * waited for and what it saw last (a value or an exception).
     */
    public static <T> T await(String what, Duration within, Callable<T> probe, Predicate<? super T> done) {
        long end = System.nanoTime() + within.toNanos();
        Object last = "<nothing yet>";
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = value;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("gave up after " + within + " waiting for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
