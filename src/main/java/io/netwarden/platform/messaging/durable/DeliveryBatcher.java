package io.netwarden.platform.messaging.durable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The batch side of a consumer ({@link DurableDelivery#consumeBatches}): deliveries are queued in the order the consumer
 * hands them out, and one worker gives the handler everything queued so far, a batch at a time.
 *
 * <pre>
 *   implementation ─ accept(delivery), in hand-out order, never blocks ─▶ queue
 *   worker (one virtual thread): take ─▶ drain up to max ─▶ handler(batch) ─▶ deliveries it left unanswered: nak
 *   keeper: every ack wait / 3, inProgress() for each delivery queued or in the running batch and not answered yet,
 *           so that a slow batch does not make the broker hand out again what is only waiting its turn
 * </pre>
 *
 * Thread safety: the queue is concurrent; each delivery's answered flag is atomic; the handler runs on the worker only.
 */
final class DeliveryBatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeliveryBatcher.class);

    private final ConsumerSpec spec;
    private final DurableDelivery.BatchHandler handler;
    private final LinkedBlockingQueue<Tracked> queue = new LinkedBlockingQueue<>();
    private final List<Tracked> current = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;

    DeliveryBatcher(ConsumerSpec spec, DurableDelivery.BatchHandler handler) {
        this.spec = spec;
        this.handler = handler;
        Thread.ofVirtual().name("durable-batch-" + spec.name()).start(this::work);
        Thread.ofVirtual().name("durable-keep-" + spec.name()).start(this::keep);
    }

    /** Queues a delivery; called by the implementation in the order it hands them out. */
    void accept(Delivery delivery) {
        if (closed) {
            return; // not answered: the broker or the database hands it out again after its ack wait
        }
        queue.add(new Tracked(delivery));
    }

    private void work() {
        while (!closed) {
            List<Tracked> batch = new ArrayList<>();
            try {
                Tracked first = queue.take();
                if (first == STOP) {
                    return;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, spec.maxInFlight() - 1);
            if (batch.remove(STOP)) {
                return; // closed: the rest is handed out again after its ack wait
            }
            current.addAll(batch);
            try {
                handler.handle(List.copyOf(batch));
                leftOver(batch, "left unanswered by the handler");
            } catch (InterruptedException e) {
                leftOver(batch, "interrupted");
                return;
            } catch (Exception e) {
                LOG.warnf("batch handler of consumer %s failed on %d deliveries: %s", spec.name(), batch.size(), e.toString());
                leftOver(batch, e.toString());
            } catch (Error e) {
                // out of memory, a stack overflow …: a worker that ended here would leave its consumer dead and its
                // deliveries kept alive for ever; handed out again, they may fare better
                LOG.errorf("batch handler of consumer %s failed on %d deliveries: %s", spec.name(), batch.size(), e.toString());
                leftOver(batch, e.toString());
            } finally {
                current.clear();
            }
        }
    }

    private void leftOver(List<Tracked> batch, String why) {
        for (Tracked delivery : batch) {
            if (!delivery.answered.get()) {
                LOG.debugf("consumer %s: %s (sequence %d) %s; again in %s", spec.name(), delivery.subject(),
                        delivery.sequence(), why, DurableDelivery.HANDLER_FAILED_RETRY);
                try {
                    delivery.nak(DurableDelivery.HANDLER_FAILED_RETRY);
                } catch (RuntimeException e) {
                    LOG.debugf("consumer %s: nak of sequence %d failed: %s", spec.name(), delivery.sequence(), e.toString());
                }
            }
        }
    }

    private void keep() {
        Duration every = spec.ackWait().dividedBy(3);
        while (!closed) {
            try {
                if (stopped.await(every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            Instant due = Instant.now().minus(every);
            List<Tracked> held = new ArrayList<>(current);
            held.addAll(queue);
            held.remove(STOP);
            for (Tracked delivery : held) {
                if (!delivery.answered.get() && delivery.since.isBefore(due)) {
                    try {
                        delivery.inner.inProgress();
                    } catch (RuntimeException e) {
                        LOG.debugf("consumer %s: keeping sequence %d failed: %s", spec.name(), delivery.sequence(), e.toString());
                    }
                }
            }
        }
    }

    /**
     * Stops taking batches. A batch that runs goes on to its end (never interrupted: a thread interrupted in the middle
     * of file I/O closes the channel under it, which for an embedded H2 database means the database); what is queued
     * stays unanswered and is handed out again after its ack wait.
     */
    @Override
    public void close() {
        closed = true;
        stopped.countDown();
        queue.clear();
        queue.add(STOP);
    }

    /** Put in the queue by {@link #close}: the worker ends when it takes it. */
    private static final Tracked STOP = new Tracked(null);

    /** A delivery that knows whether it has been answered. */
    private static final class Tracked implements Delivery {
        final Delivery inner;
        final Instant since = Instant.now();
        final AtomicBoolean answered = new AtomicBoolean();

        Tracked(Delivery inner) {
            this.inner = inner;
        }

        @Override
        public String subject() {
            return inner.subject();
        }

        @Override
        public java.util.Map<String, String> headers() {
            return inner.headers();
        }

        @Override
        public byte[] data() {
            return inner.data();
        }

        @Override
        public long sequence() {
            return inner.sequence();
        }

        @Override
        public int attempt() {
            return inner.attempt();
        }

        @Override
        public Instant storedAt() {
            return inner.storedAt();
        }

        @Override
        public void ack() {
            answered.set(true);
            inner.ack();
        }

        @Override
        public void ackNoWait() {
            answered.set(true);
            inner.ackNoWait();
        }

        @Override
        public void nak(Duration delay) {
            answered.set(true);
            inner.nak(delay);
        }

        @Override
        public void term() {
            answered.set(true);
            inner.term();
        }

        @Override
        public void inProgress() {
            inner.inProgress();
        }
    }
}
