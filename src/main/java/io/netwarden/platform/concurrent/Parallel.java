package io.netwarden.platform.concurrent;

import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Blocking work on many items at once, so that their round trips (a broker's, a database's) overlap:
 *
 * <pre>
 *   forEach(items, limit, task) ─▶ each item on its own virtual thread, at most limit at a time, in the items' order
 *        task answers false (say, the broker is away) ─▶ no item after it is started; those running end
 *        ─▶ returns when every started task has ended
 * </pre>
 *
 * A task that throws is logged and counts as true: tasks handle their own failures. Thread safety: stateless.
 */
public final class Parallel {

    private static final Logger LOG = Logger.getLogger(Parallel.class);

    private Parallel() {
    }

    /**
     * Runs {@code task} for the items, at most {@code limit} at once; false when a task answered false (and so some
     * items may not have been started).
     */
    public static <T> boolean forEach(Collection<T> items, int limit, Predicate<T> task) throws InterruptedException {
        if (items.size() == 1) {
            return run(task, items.iterator().next());
        }
        AtomicBoolean stopped = new AtomicBoolean();
        Semaphore slots = new Semaphore(Math.max(1, limit));
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T item : items) {
                slots.acquire();
                if (stopped.get()) {
                    slots.release();
                    break;
                }
                workers.submit(() -> {
                    try {
                        if (!run(task, item)) {
                            stopped.set(true);
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return !stopped.get();
    }

    private static <T> boolean run(Predicate<T> task, T item) {
        try {
            return task.test(item);
        } catch (RuntimeException e) {
            LOG.warnf("a parallel task failed: %s", e.toString());
            return true;
        }
    }
}
