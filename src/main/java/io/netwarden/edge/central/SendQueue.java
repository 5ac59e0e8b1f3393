package io.netwarden.edge.central;

import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.concurrent.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Stores what concurrent requests send in shared transactions, and publishes it after the requests have their answer:
 *
 * <pre>
 *   request ─ store(messages) ─▶ queue ─▶ waits until its messages are committed (or failed) ─▶ 202
 *   writer (one virtual thread): takes every request queued, up to GROUP messages ─▶ message log, one transaction
 *        └ the transaction fails ─▶ each request's messages once more on their own (one bad request fails alone)
 *     ─▶ the requests are answered ─▶ publishing (up to UNPUBLISHED messages at once, else the writer waits):
 *        each signed and stored in the stream, PARALLEL at a time, then marked published in one write
 *        └ the stream cannot be reached ─▶ the rest stays unpublished: the sweeper publishes it later
 * </pre>
 *
 * Under load a transaction carries many requests; alone, a request waits for nothing but its own. A crash after the
 * answer and before publishing loses nothing: the messages are stored, and the sweeper publishes what is unpublished.
 * Thread safety: the queue is concurrent; each request waits on its own future.
 */
final class SendQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SendQueue.class);
    /** Messages stored in one transaction at most (a larger request is one transaction of its own). */
    static final int GROUP = 1000;
    /** Messages stored and not yet published at most; beyond, storing waits (publishing is the slower part). */
    static final int UNPUBLISHED = 4096;
    static final int PARALLEL = 32;

    private record Request(List<MessageLog.NewMessage> messages, CompletableFuture<Void> stored) {
    }

    private final MessageLog log;
    private final Predicate<EdgeMessage> publish;
    private final Consumer<List<MessageLog.NewMessage>> onStored;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Semaphore unpublished = new Semaphore(UNPUBLISHED);
    private volatile boolean closed;
    private Thread writer;

    /**
     * @param publish signs and stores one message in the stream; false when the stream cannot be reached now
     * @param onStored told of each group once it is committed (metrics)
     */
    SendQueue(MessageLog log, Predicate<EdgeMessage> publish, Consumer<List<MessageLog.NewMessage>> onStored) {
        this.log = log;
        this.publish = publish;
        this.onStored = onStored;
    }

    synchronized void start() {
        if (writer == null) {
            closed = false;
            writer = Thread.ofVirtual().name("edge-send-queue").start(this::write);
        }
    }

    /** Returns once the messages are stored (pending); throws what storing them threw. */
    void store(List<MessageLog.NewMessage> messages) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the sender is stopping; nothing was stored");
        }
        Request request = new Request(messages, new CompletableFuture<>());
        queue.add(request);
        try {
            request.stored().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void write() {
        while (!closed) {
            List<Request> group = new ArrayList<>();
            try {
                Request first = queue.take();
                if (first == STOP) {
                    break;
                }
                group.add(first);
            } catch (InterruptedException e) {
                break;
            }
            int size = group.getFirst().messages().size();
            while (size < GROUP && queue.peek() != null && queue.peek() != STOP
                    && size + queue.peek().messages().size() <= GROUP) {
                Request next = queue.poll();
                group.add(next);
                size += next.messages().size();
            }
            List<MessageLog.NewMessage> stored = storeGroup(group);
            if (!stored.isEmpty()) {
                publishLater(stored);
            }
        }
        Request left;
        while ((left = queue.poll()) != null) {
            if (left != STOP) {
                left.stored().completeExceptionally(new IllegalStateException("the sender stopped; nothing was stored"));
            }
        }
    }

    /** Stores the group (one transaction; on failure each request alone) and answers its requests; what was stored. */
    private List<MessageLog.NewMessage> storeGroup(List<Request> group) {
        List<MessageLog.NewMessage> all = new ArrayList<>();
        group.forEach(r -> all.addAll(r.messages()));
        try {
            log.insertAll(all);
            onStored.accept(all);
            group.forEach(r -> r.stored().complete(null));
            return all;
        } catch (RuntimeException groupFailed) {
            if (group.size() == 1) {
                group.getFirst().stored().completeExceptionally(groupFailed);
                return List.of();
            }
        }
        List<MessageLog.NewMessage> stored = new ArrayList<>();
        for (Request request : group) {
            try {
                log.insertAll(request.messages());
                onStored.accept(request.messages());
                request.stored().complete(null);
                stored.addAll(request.messages());
            } catch (RuntimeException e) {
                request.stored().completeExceptionally(e);
            }
        }
        return stored;
    }

    private void publishLater(List<MessageLog.NewMessage> stored) {
        int permits = Math.min(stored.size(), UNPUBLISHED);
        try {
            while (!unpublished.tryAcquire(permits, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return; // stopping: the sweeper publishes them after the restart
                }
            }
        } catch (InterruptedException e) {
            return;
        }
        Thread.ofVirtual().name("edge-publish").start(() -> {
            List<String> published = Collections.synchronizedList(new ArrayList<>());
            try {
                Parallel.forEach(stored, PARALLEL, m -> {
                    if (!publish.test(m.message())) {
                        return false; // away: the rest waits for the sweeper
                    }
                    published.add(m.message().id());
                    return true;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    log.publishedAll(published);
                } catch (RuntimeException e) {
                    LOG.debugf("%d messages published but not marked (%s); the sweeper publishes them again (the stream"
                            + " drops the copies)", published.size(), e.getMessage());
                } finally {
                    unpublished.release(permits);
                }
            }
        });
    }

    /**
     * Stops taking requests; a group being stored is finished (never interrupted: an interrupt in file I/O would close
     * an embedded H2 database), requests still queued fail with "stopping".
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (writer != null) {
            queue.add(STOP);
            writer = null;
        }
    }

    /** Put in the queue by {@link #close}: the writer ends when it takes it. */
    private static final Request STOP = new Request(List.of(), new CompletableFuture<>());
}
