package io.netwarden.platform.concurrent;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue shared fairly by sources: each source's items in the order they came, the sources taken in turn, so
 * that one source that sends a flood neither delays the others behind all of its items nor takes all the room.
 *
 * <pre>
 *   offer(source, item) ─ the source holds perSource ─▶ false (the caller drops and counts it)
 *                       ─ all hold total: only a source with fewer than FEW waiting is still taken, up to a fifth
 *                         more in all (a flood spread over a few sources does not shut out the quiet ones) ─▶ false
 *                       └─▶ the source's FIFO; a source that had nothing joins the end of the turn order
 *   take() ─▶ the first item of the source whose turn it is; a source with more left goes to the end of the order
 * </pre>
 *
 * Thread safety: every method holds one lock; {@link #take} waits on it for an item.
 */
public final class FairQueue<T> {

    /** A source with fewer than this waiting is still taken when the queue is full, into the headroom. */
    static final int FEW = 16;

    private final int perSource;
    private final int total;
    private final int headroom;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Map<String, ArrayDeque<T>> bySource = new HashMap<>();
    /** The sources with items, in turn order. */
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private int size;

    /**
     * @param perSource items one source may have waiting at once
     * @param total items waiting at once, from all sources, before only sources with few waiting are taken
     */
    public FairQueue(int perSource, int total) {
        if (perSource < 1 || total < perSource) {
            throw new IllegalArgumentException("need 1 <= perSource <= total, got " + perSource + " and " + total);
        }
        this.perSource = perSource;
        this.total = total;
        this.headroom = Math.max(1, total / 5);
    }

    /**
     * Queues {@code item} from {@code source}; false, and nothing queued, when the source has its share, or the queue
     * is full (beyond {@code total}, a source with fewer than {@link #FEW} waiting is still taken, up to a fifth more).
     */
    public boolean offer(String source, T item) {
        lock.lock();
        try {
            ArrayDeque<T> items = bySource.get(source);
            int waiting = items == null ? 0 : items.size();
            if (size >= total && (waiting >= FEW || size >= total + headroom)) {
                return false;
            }
            if (items == null) {
                items = new ArrayDeque<>();
                bySource.put(source, items);
                turns.addLast(source);
            } else if (items.size() >= perSource) {
                return false;
            }
            items.addLast(item);
            size++;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next item in turn; waits for one. */
    public T take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                notEmpty.await();
            }
            String source = turns.pollFirst();
            ArrayDeque<T> items = bySource.get(source);
            T item = items.pollFirst();
            size--;
            if (items.isEmpty()) {
                bySource.remove(source);
            } else {
                turns.addLast(source);
            }
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** Items waiting. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Drops every item waiting. */
    public void clear() {
        lock.lock();
        try {
            bySource.clear();
            turns.clear();
            size = 0;
        } finally {
            lock.unlock();
        }
    }
}
