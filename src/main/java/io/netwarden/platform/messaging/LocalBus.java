package io.netwarden.platform.messaging;

import io.netwarden.platform.persistence.DatabaseErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The in-process bus: NATS semantics (wild cards, queue groups, request-reply, no-responders) inside one JVM, used when
 * all roles run in one process without a NATS server.
 *
 * <pre>
 *   publish(subject) ─▶ matching subscriptions ─┬─ plain: every one gets a copy
 *                                               └─ queue group: one member, round robin
 *   each subscription ─▶ its own single virtual thread (in-order, one message at a time)
 * </pre>
 *
 * Thread safety: the subscription list is copy-on-write; each subscription's executor serialises its handler; the
 * round-robin counters are atomic. Publishing never blocks on a handler.
 */
public final class LocalBus implements Messaging {

    private static final Logger LOG = Logger.getLogger(LocalBus.class);

    private final List<LocalSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> groupCounters = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    @Override
    public void publish(BusMessage message) {
        if (!open) {
            throw new IllegalStateException("the in-process bus is closed");
        }
        deliver(message);
    }

    private int deliver(BusMessage message) {
        List<LocalSubscription> plain = new ArrayList<>();
        Map<String, List<LocalSubscription>> groups = new java.util.HashMap<>();
        for (LocalSubscription s : subscriptions) {
            if (Subjects.matches(s.filter, message.subject())) {
                if (s.queueGroup.isEmpty()) {
                    plain.add(s);
                } else {
                    groups.computeIfAbsent(s.filter + " " + s.queueGroup.get(), k -> new ArrayList<>()).add(s);
                }
            }
        }
        plain.forEach(s -> s.offer(message));
        groups.forEach((key, members) -> {
            long n = groupCounters.computeIfAbsent(key, k -> new AtomicLong()).getAndIncrement();
            members.get((int) (n % members.size())).offer(message);
        });
        return plain.size() + groups.size();
    }

    @Override
    public Subscription subscribe(String filter, Optional<String> queueGroup, Consumer<BusMessage> handler) {
        Subjects.requireValidFilter(filter);
        queueGroup.ifPresent(Subjects::requireValidSubject);
        LocalSubscription subscription = new LocalSubscription(filter, queueGroup, handler);
        subscriptions.add(subscription);
        return subscription;
    }

    @Override
    public CompletableFuture<BusMessage> request(BusMessage request, Duration timeout) {
        String inbox = "_INBOX." + UUID.randomUUID().toString().replace("-", "");
        CompletableFuture<BusMessage> reply = new CompletableFuture<>();
        Subscription replies = subscribe(inbox, Optional.empty(), reply::complete);
        reply.whenComplete((r, e) -> replies.close());
        int receivers = deliver(new BusMessage(request.subject(), Optional.of(inbox), request.headers(), request.data()));
        if (receivers == 0) {
            reply.completeExceptionally(new NoRespondersException(request.subject()));
        }
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean connected() {
        return open;
    }

    @Override
    public String description() {
        return "in-process bus";
    }

    @Override
    public Optional<io.nats.client.JetStream> jetStream() {
        return Optional.empty();
    }

    @Override
    public Optional<io.nats.client.JetStreamManagement> jetStreamManagement() {
        return Optional.empty();
    }

    @Override
    public void start() {
        open = true;
    }

    @Override
    public void stop(Duration drain) {
        open = false;
        for (LocalSubscription s : subscriptions) {
            s.drainAndClose(drain);
        }
    }

    private final class LocalSubscription implements Subscription {
        final String filter;
        final Optional<String> queueGroup;
        final Consumer<BusMessage> handler;
        final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("bus-", 0).factory());

        LocalSubscription(String filter, Optional<String> queueGroup, Consumer<BusMessage> handler) {
            this.filter = filter;
            this.queueGroup = queueGroup;
            this.handler = handler;
        }

        void offer(BusMessage message) {
            try {
                executor.execute(() -> {
                    try {
                        handler.accept(message);
                    } catch (RuntimeException e) {
                        LOG.errorf(DatabaseErrors.loggable(e), "handler for %s failed on a message to %s", filter, message.subject());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
                LOG.debugf("dropped a message to %s: subscription %s is closed", message.subject(), filter);
            }
        }

        void drainAndClose(Duration drain) {
            subscriptions.remove(this);
            executor.shutdown();
            try {
                if (!executor.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                executor.shutdownNow();
            }
        }

        @Override
        public void close() {
            subscriptions.remove(this);
            executor.shutdown();
        }
    }
}
