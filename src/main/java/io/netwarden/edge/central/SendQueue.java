package io.netwarden.edge.central;

import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.concurrent.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Stores what concurrent requests send in shared transactions, and publishes it after the requests have their answer:
 *
 * <pre>
 *   request ─ store(messages) ─▶ queue ─▶ waits until its messages are committed (or failed) ─▶ 202
 *   writer (one virtual thread): takes every request queued, up to GROUP messages ─▶ message log, one transaction
 *        └ the transaction fails ─▶ each request's messages once more on their own (one bad request fails alone)
 *     ─▶ the requests are answered ─▶ publisher (up to UNPUBLISHED messages waiting, else the writer waits):
 *        group after group, as stored; in a group each node's messages in order, PARALLEL nodes at a time; each
 *        message signed and stored in the stream, up to WINDOW of a node's in flight at once (pipelined on the
 *        broker link, which keeps their order); then the group marked published in one write
 *        └ one not stored (the stream cannot be reached) ─▶ it and the node's later ones stay unpublished: the
 *          sweeper publishes them later, in order
 * </pre>
 *
 * Order: what one request lists for a node, and what a later request sends to it, reaches the node's stream in that
 * order (the node runs its messages in stream order). One exception: when the broker link breaks while a node's
 * messages are in flight, one lost on the way may be stored after later ones that jnats sent again on reconnecting (it
 * is logged as a warning). Under load a transaction carries many requests; alone, a
 * request waits for nothing but its own. A crash after the
 * answer and before publishing loses nothing: the messages are stored, and the sweeper publishes what is unpublished.
 * Thread safety: the queue is concurrent; each request waits on its own future.
 */
public final class SendQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SendQueue.class);
    /** Messages stored in one transaction at most (a larger request is one transaction of its own). */
    static final int GROUP = 1000;
    /** Messages stored and not yet published at most; beyond, storing waits (publishing is the slower part). */
    static final int UNPUBLISHED = 4096;
    static final int PARALLEL = 32;
    /** A node's messages in flight to the stream at once. */
    static final int WINDOW = 256;
    /** How long a message in flight may take to be confirmed before the stream is taken as unreachable. */
    static final java.time.Duration CONFIRM_WAIT = java.time.Duration.ofSeconds(10);

    private record Request(List<MessageLog.NewMessage> messages, List<MessageLog.Submission> submission,
            CompletableFuture<Void> stored) {
    }

    /** The sender stops: nothing of the request was stored (the API answers 503). */
    public static final class Stopping extends IllegalStateException {
        Stopping() {
            super("the sender is stopping; nothing was stored");
        }
    }

    private final MessageLog log;
    private final Function<EdgeMessage, CompletableFuture<Boolean>> publish;
    private final Consumer<List<MessageLog.NewMessage>> onStored;
    private final java.time.Duration backoff;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Semaphore unpublished = new Semaphore(UNPUBLISHED);
    private volatile boolean closed;
    private Thread writer;

    /**
     * @param publish signs one message and starts storing it in the stream; the future ends false when the stream
     *     cannot be reached now
     * @param onStored told of each group once it is committed (metrics)
     * @param backoff a receipt or an answer is due by a message's timeout plus this, once it is published
     */
    SendQueue(MessageLog log, Function<EdgeMessage, CompletableFuture<Boolean>> publish, Consumer<List<MessageLog.NewMessage>> onStored,
            java.time.Duration backoff) {
        this.log = log;
        this.publish = publish;
        this.onStored = onStored;
        this.backoff = backoff;
    }

    synchronized void start() {
        if (writer == null) {
            closed = false;
            writer = Thread.ofVirtual().name("edge-send-queue").start(this::write);
            Thread.ofVirtual().name("edge-send-publisher").start(this::publish);
        }
    }

    /** Returns once the messages are stored (pending); throws what storing them threw. */
    void store(List<MessageLog.NewMessage> messages) throws InterruptedException {
        store(messages, java.util.Optional.empty());
    }

    /**
     * Returns once the messages are stored (pending), with the request's idempotency key when it has one; throws what
     * storing them threw ({@link MessageLog.KeyTaken} when the key was stored meanwhile).
     */
    void store(List<MessageLog.NewMessage> messages, java.util.Optional<MessageLog.Submission> submission)
            throws InterruptedException {
        if (closed) {
            throw new Stopping();
        }
        Request request = new Request(messages, submission.stream().toList(), new CompletableFuture<>());
        queue.add(request);
        while (true) {
            try {
                request.stored().get(1, java.util.concurrent.TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                // still queued after the writer stopped (a close between the check above and the add): never stored
                if (closed && queue.remove(request)) {
                    throw new Stopping();
                }
            }
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
                left.stored().completeExceptionally(new Stopping());
            }
        }
    }

    /** Stores the group (one transaction; on failure each request alone) and answers its requests; what was stored. */
    private List<MessageLog.NewMessage> storeGroup(List<Request> group) {
        List<MessageLog.NewMessage> all = new ArrayList<>();
        List<MessageLog.Submission> keys = new ArrayList<>();
        group.forEach(r -> all.addAll(r.messages()));
        group.forEach(r -> keys.addAll(r.submission()));
        try {
            log.insertAll(all, keys);
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
                log.insertAll(request.messages(), request.submission());
                onStored.accept(request.messages());
                request.stored().complete(null);
                stored.addAll(request.messages());
            } catch (RuntimeException e) {
                request.stored().completeExceptionally(e);
            }
        }
        return stored;
    }

    /**
     * Hands the stored group to the publisher, which publishes groups in the order they were stored; waits while
     * {@link #UNPUBLISHED} messages are stored and not published yet.
     */
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
        toPublish.add(new Stored(stored, permits));
    }

    private record Stored(List<MessageLog.NewMessage> messages, int permits) {
    }

    private final LinkedBlockingQueue<Stored> toPublish = new LinkedBlockingQueue<>();

    /**
     * The publisher: a group at a time, in the order stored; within a group each node's messages one after another (a
     * node runs its messages in the order they reach the stream), different nodes in parallel.
     */
    private void publish() {
        while (true) {
            Stored group;
            try {
                group = toPublish.take();
            } catch (InterruptedException e) {
                return;
            }
            if (group.messages().isEmpty()) {
                return; // the end mark of close()
            }
            Map<String, List<EdgeMessage>> byNode = new LinkedHashMap<>();
            group.messages().forEach(m -> byNode.computeIfAbsent(m.message().toNode(), n -> new ArrayList<>()).add(m.message()));
            List<EdgeMessage> published = Collections.synchronizedList(new ArrayList<>());
            try {
                Parallel.forEach(byNode.values(), PARALLEL, messages -> inOrder(messages, published));
            } catch (InterruptedException e) {
                return;
            } finally {
                try {
                    log.publishedAll(published, backoff);
                } catch (RuntimeException e) {
                    LOG.debugf("%d messages published but not marked (%s); the sweeper publishes them again (the stream"
                            + " drops the copies)", published.size(), e.getMessage());
                } finally {
                    unpublished.release(group.permits());
                }
            }
        }
    }

    /** A message in flight to the stream. */
    private record InFlight(EdgeMessage message, CompletableFuture<Boolean> stored, long due) {
    }

    /**
     * Stores one node's messages in the stream, in order, up to {@link #WINDOW} in flight; adds those stored, up to the
     * first that was not, to {@code published}. False when one was not stored: it and what follows wait for the sweeper,
     * which keeps the order.
     */
    private boolean inOrder(List<EdgeMessage> messages, List<EdgeMessage> published) {
        java.util.ArrayDeque<InFlight> window = new java.util.ArrayDeque<>();
        try {
            for (EdgeMessage message : messages) {
                if (window.size() >= WINDOW && !confirmed(window.poll(), published)) {
                    return notStored(window);
                }
                window.add(new InFlight(message, publish.apply(message), System.nanoTime() + CONFIRM_WAIT.toNanos()));
            }
            while (!window.isEmpty()) {
                if (!confirmed(window.poll(), published)) {
                    return notStored(window);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** After one was not stored: waits for those still in flight behind it, and warns when one of them was stored. */
    private static boolean notStored(java.util.Collection<InFlight> behind) throws InterruptedException {
        for (InFlight later : behind) {
            try {
                if (later.stored().get(Math.max(0, later.due() - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    LOG.warnf("a message to %s was not stored in the stream while a later one (%s) was: the sweeper sends"
                            + " the earlier one after it, so these two may run out of order", later.message().toNode(),
                            later.message().id());
                    break;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // not stored either: sent again in order
            }
        }
        return false;
    }

    private boolean confirmed(InFlight inFlight, List<EdgeMessage> published) throws InterruptedException {
        boolean stored;
        try {
            // each message's own deadline from when it was sent: stalled confirmations cost CONFIRM_WAIT once, not per message
            stored = inFlight.stored().get(Math.max(0, inFlight.due() - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            stored = false;
        }
        if (stored) {
            published.add(inFlight.message());
        }
        return stored;
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
            toPublish.add(new Stored(List.of(), 0));
            writer = null;
        }
    }

    /** Put in the queue by {@link #close}: the writer ends when it takes it. */
    private static final Request STOP = new Request(List.of(), List.of(), new CompletableFuture<>());
}
