package io.netwarden.edge.central;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.delivery.EdgeStreams;
import io.netwarden.edge.events.EdgeEvents;
import io.netwarden.edge.events.EdgeMessageFinished;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.FileChunks;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.messaging.durable.ConsumerSpec;
import io.netwarden.platform.messaging.durable.Delivery;
import io.netwarden.platform.messaging.durable.DeliveryUnavailableException;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The sending side of a node: stores each message in the message log, signs it and stores it in the edge stream, and
 * takes the answers that come back.
 *
 * <pre>
 *   send ─▶ log: pending ─▶ sign ─▶ EDGE stream (dedupe id = message id) ─▶ log: published
 *                                    └ broker or database away ─▶ stays unpublished; the sweeper publishes it later
 *   sendAll (the API, the inbox) ─▶ the same through SendQueue: many requests in one transaction, published after
 *   EDGE_ACKS <self>.ack.* in batches ─▶ signed by the node's key (own for itself, pinned at its hello, or trusted)?
 *                              ─ no ─▶ dropped      receipt: log delivered │ answers: log acked │ failed, one write
 *   sweeper (every sweep-interval): expire pending past their ttl; publish the unpublished again;
 *             published, no receipt or answer by timeout + backoff, node online ─▶ publish again (backoff doubles)
 *             delivered without an answer by timeout + backoff ─▶ publish again (backoff doubles) │ retries spent ─▶ failed
 * </pre>
 *
 * A retry is safe: a node runs each id at most once, so a copy it already ran only brings the stored answer back (one
 * whose node stopped while it ran comes back {@code interrupted}).
 *
 * Thread safety: the log and the delivery are thread-safe; the sweeper is one virtual thread.
 */
public final class EdgeSender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EdgeSender.class);
    static final Duration ACK_WAIT = Duration.ofSeconds(30);
    /** Answers taken at once: one database write stores them all. */
    static final int ACK_BATCH = 256;
    /** The sweeper leaves messages this young to the send queue's publisher, which is about to publish them. */
    static final Duration PUBLISHER_GRACE = Duration.ofSeconds(5);

    private final String self;
    private final DurableDelivery delivery;
    private final CommandSignatures signatures;
    private final MessageLog log;
    private final Duration sweepInterval;
    private final Duration retryBackoff;
    private final io.netwarden.edge.node.EdgeNode.ErrorSink errors;
    private final EdgeMetrics metrics;
    private final EdgeEvents events;
    private final FileChunks chunks;
    private final Peers peers;
    private DurableDelivery.Consumption acks;
    private Thread sweeper;
    private volatile SendQueue queue;

    /** @param errors where expired messages are reported (the central's error log) */
    public EdgeSender(String self, DurableDelivery delivery, CommandSignatures signatures, MessageLog log, Duration sweepInterval,
            Duration retryBackoff, io.netwarden.edge.node.EdgeNode.ErrorSink errors, EdgeMetrics metrics, EdgeEvents events,
            FileChunks chunks, Peers peers) {
        this.self = self;
        this.delivery = delivery;
        this.signatures = signatures;
        this.log = log;
        this.sweepInterval = sweepInterval;
        this.retryBackoff = retryBackoff;
        this.errors = errors;
        this.metrics = metrics;
        this.events = events;
        this.chunks = chunks;
        this.peers = peers;
    }

    /** What the sender knows of the nodes it sends to. */
    public interface Peers {

        /** The node's key: this node's own, or the one pinned at the node's hello (on the central); else empty. */
        Optional<PublicKey> key(String node);

        /** Whether the node is online now; a sender that keeps no node list takes every node as online. */
        boolean online(String node);
    }

    public String self() {
        return self;
    }

    public MessageLog log() {
        return log;
    }

    public synchronized void start() {
        if (acks != null) {
            return;
        }
        acks = delivery.consumeBatches(new ConsumerSpec(EdgeStreams.ACKS, "acks-" + self, self + ".ack.*", ACK_WAIT, 0,
                ACK_BATCH), this::onAcks);
        sweeper = Thread.ofVirtual().name("edge-sweeper").start(this::sweep);
        SendQueue sending = new SendQueue(log, this::publishAsync,
                stored -> stored.forEach(m -> metrics.count(m.message().toNode(), m.message().method(), "sent")), retryBackoff);
        sending.start();
        queue = sending;
    }

    @Override
    public synchronized void close() {
        if (acks != null) {
            acks.close();
            acks = null;
        }
        if (sweeper != null) {
            sweeper.interrupt();
            sweeper = null;
        }
        if (queue != null) {
            queue.close();
            queue = null;
        }
    }

    /**
     * Stores many (a request's messages, the copies of a broadcast) in one transaction, shared with other requests
     * under load, and returns once they are stored; publishing follows ({@link SendQueue}).
     */
    public void sendAll(List<MessageLog.NewMessage> messages) throws InterruptedException {
        sendAll(messages, Optional.empty());
    }

    /**
     * As {@link #sendAll(List)}, the request's idempotency key stored in the same transaction.
     *
     * @throws MessageLog.KeyTaken when another request stored the key meanwhile: nothing was stored
     */
    public void sendAll(List<MessageLog.NewMessage> messages, Optional<MessageLog.Submission> submission)
            throws InterruptedException {
        SendQueue running = queue;
        if (running == null) {
            throw new SendQueue.Stopping();
        }
        running.store(messages, submission);
    }

    /** Stores and sends; the message is pending once this returns, whether or not the broker took it yet. */
    public void send(EdgeMessage message, int retries) {
        log.insert(message, retries);
        metrics.count(message.toNode(), message.method(), "sent");
        if (publish(message, "")) {
            log.published(message, retryBackoff);
        }
    }

    /**
     * Signs and stores the message in the stream — a copyFile as the chunks of its file; false when the stream cannot be
     * reached now. A copy whose file cannot be sent fails here. {@code attempt} tells a retry's copies apart from the
     * first ones, which the stream would otherwise drop as duplicates.
     */
    private boolean publish(EdgeMessage message, String attempt) {
        List<EdgeMessage> parts;
        try {
            parts = chunks.expand(message);
        } catch (FileChunks.NotSendable e) {
            cannotBeSent(message, EdgeError.NOT_ALLOWED, e.getMessage());
            return true;
        }
        try {
            for (EdgeMessage part : parts) {
                EdgeMessage signed = signatures.sign(part);
                delivery.publish(EdgeStreams.MESSAGES, new Outgoing(signed.subject(), Map.of(), EdgeWire.write(signed),
                        Optional.of(part.id() + attempt)));
            }
            return true;
        } catch (IllegalArgumentException e) {
            // never storable (too large …): failing it keeps it from being tried, and holding up the rest, forever
            cannotBeSent(message, EdgeError.INVALID_MESSAGE, e.getMessage());
            return true;
        } catch (DeliveryUnavailableException e) {
            LOG.debugf("message %s not stored in the stream yet (%s); the sweeper tries again", message.id(), e.getMessage());
            return false;
        }
    }

    /**
     * As {@link #publish} for a first attempt, without waiting for the stream: the future tells whether the message
     * (each of its parts) was stored; false when the stream cannot be reached now. Started one after another, messages
     * are stored in that order while the link holds ({@link DurableDelivery#publishAsync}).
     */
    private java.util.concurrent.CompletableFuture<Boolean> publishAsync(EdgeMessage message) {
        List<EdgeMessage> parts;
        try {
            parts = chunks.expand(message);
        } catch (FileChunks.NotSendable e) {
            cannotBeSent(message, EdgeError.NOT_ALLOWED, e.getMessage());
            return java.util.concurrent.CompletableFuture.completedFuture(true);
        }
        List<java.util.concurrent.CompletableFuture<Long>> stored = new java.util.ArrayList<>();
        try {
            for (EdgeMessage part : parts) {
                EdgeMessage signed = signatures.sign(part);
                stored.add(delivery.publishAsync(EdgeStreams.MESSAGES, new Outgoing(signed.subject(), Map.of(),
                        EdgeWire.write(signed), Optional.of(part.id()))));
            }
        } catch (IllegalArgumentException e) {
            cannotBeSent(message, EdgeError.INVALID_MESSAGE, e.getMessage()); // parts already stored are never acked
            return java.util.concurrent.CompletableFuture.completedFuture(true);
        }
        return java.util.concurrent.CompletableFuture.allOf(stored.toArray(java.util.concurrent.CompletableFuture[]::new))
                .handle((done, failure) -> {
                    if (failure != null) {
                        LOG.debugf("message %s not stored in the stream yet (%s); the sweeper tries again", message.id(),
                                failure.getMessage());
                    }
                    return failure == null;
                });
    }

    /** An answer that passed the checks, with its delivery. */
    private record Answer(Delivery delivery, EdgeAck ack) {
    }

    /**
     * A batch of answers: each checked (dropped when it cannot be read or is not signed by the answering node), receipts
     * stored one by one, answers in one write; then the ended messages are counted and announced, and the deliveries
     * acked without waiting for the broker's confirmation.
     */
    private void onAcks(List<Delivery> batch) throws InterruptedException {
        List<Answer> answers = new java.util.ArrayList<>();
        for (Delivery received : batch) {
            Optional<EdgeAck> ack = checked(received);
            if (ack.isEmpty()) {
                continue;
            }
            if (ack.get().receipt()) {
                if (log.delivered(ack.get().messageId(), ack.get().node(), Instant.now(), retryBackoff)) {
                    LOG.debugf("message %s delivered to %s and running", ack.get().messageId(), ack.get().node());
                }
                received.ack();
            } else {
                answers.add(new Answer(received, ack.get()));
            }
        }
        List<String> ended = log.ackedAll(answers.stream().map(Answer::ack).toList());
        if (ended.size() < answers.size()) {
            LOG.debugf("%d answer(s) for messages not pending here (unknown, already answered or expired)",
                    answers.size() - ended.size());
        }
        for (MessageLog.Entry entry : log.findAll(ended)) {
            metrics.count(entry.toNode(), entry.method(), entry.status());
            if (entry.ackedAt() != null) {
                metrics.answered(entry.method(), entry.createdAt(), entry.ackedAt());
            }
            finished(entry, entry.ackedAt());
        }
        // stored above: an ack lost on the way hands an answer out again, and a second one changes nothing
        answers.forEach(answer -> answer.delivery().ackNoWait());
    }

    /** The answer in {@code received}, when it can be read and is signed by the node it names; else dropped (term). */
    private Optional<EdgeAck> checked(Delivery received) {
        EdgeAck ack;
        try {
            ack = EdgeAckWire.read(received.data());
        } catch (IllegalArgumentException e) {
            LOG.warnf("an answer on %s is not valid (%s); dropped", received.subject(), e.getMessage());
            received.term();
            return Optional.empty();
        }
        if (!received.subject().equals(EdgeStreams.ackSubject(self, ack.node()))) {
            LOG.warnf("an answer from %s came on %s; dropped", ack.node(), received.subject());
            received.term();
            return Optional.empty();
        }
        // the node's key: its own key for this node, the key pinned at its hello (central), or a trusted key; an answer
        // not signed by it, or one no key here can check, is dropped — anyone on NATS could have sent it
        Optional<PublicKey> key = peers.key(ack.node()).or(() -> ack.keyId().flatMap(signatures::trustedKey));
        if (key.isEmpty() || !CommandSignatures.signedBy(ack, key.get())) {
            LOG.warnf("an answer for %s claiming to be from %s was dropped: %s", ack.messageId(), ack.node(),
                    ack.signature().isEmpty() ? "unsigned" : key.isEmpty() ? "no key of that node is known here (it pins"
                            + " at its hello to the central, or is in netwarden.edge.signing.trusted-keys-file)"
                            : "not signed by that node's key, or changed");
            received.term();
            return Optional.empty();
        }
        return Optional.of(ack);
    }

    private void sweep() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(sweepInterval);
                sweepOnce(Instant.now());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("edge sweeper: %s", e.getMessage());
            }
        }
    }

    /** One round of the sweeper: expire, publish what is not in the stream yet, retry or fail what is overdue. */
    void sweepOnce(Instant now) {
        for (MessageLog.Entry expired : log.expire(now)) {
            LOG.warnf("message %s to %s (%s) expired without an answer", expired.id(), expired.toNode(), expired.method());
            metrics.count(expired.toNode(), expired.method(), "expired");
            finished(expired, now);
            report(expired.toNode(), expired.id(), expired.method(), EdgeError.EXPIRED,
                    "its time to live ended before " + expired.toNode() + " answered");
        }
        // in created_at order; a message that cannot be published (the broker away, or refused to this process) holds up
        // only the later ones to the same node, whose order it keeps; a few such nodes and the broker is taken as away
        java.util.Set<String> heldUp = new java.util.HashSet<>();
        for (String id : log.unpublished(100, now.minus(PUBLISHER_GRACE))) {
            Optional<EdgeMessage> message = stored(id);
            if (message.isPresent() && !heldUp.contains(message.get().toNode())) {
                if (!publish(message.get(), "")) {
                    heldUp.add(message.get().toNode());
                    if (heldUp.size() >= 3) {
                        return; // away: the rest waits for the next round
                    }
                    continue;
                }
                log.published(message.get(), retryBackoff);
            }
        }
        if (!nudge(now)) {
            return;
        }
        for (MessageLog.Overdue overdue : log.overdue(now, 100)) {
            if (overdue.mayRetry()) {
                Optional<EdgeMessage> message = stored(overdue.id());
                if (message.isEmpty() || !message.get().expiresAt().isAfter(now)) {
                    giveUp(overdue);
                } else if (publish(message.get(), "#" + (overdue.attempts() + 1))) {
                    Duration wait = message.get().timeout().plus(backoff(overdue.attempts() + 1));
                    log.retried(overdue.id(), now.plus(wait));
                    LOG.infof("message %s to %s: no answer yet, sent again (attempt %d of %d)", overdue.id(),
                            overdue.toNode(), overdue.attempts() + 1, overdue.retries() + 1);
                } else {
                    return;
                }
            } else {
                giveUp(overdue);
            }
        }
    }

    /**
     * Publishes again what neither a receipt nor an answer followed in time, to a node that is online: a copy lost on
     * the way (or its answer lost on the way back) would otherwise stay pending until it expires. Not counted against
     * the retries: the node runs the id at most once (a copy of one that ran brings its stored answer back; one of a
     * message still waiting behind others there waits with them). A node that is offline is looked at again after
     * the longest backoff, or soon after it is back ({@link #nodeBack}). False when the stream cannot be reached (the
     * rest waits for the next round).
     */
    private boolean nudge(Instant now) {
        // page after page (each row looked at leaves the due set), so that many of offline nodes do not hold up the rest
        Map<String, Boolean> online = new java.util.HashMap<>(); // looked up once per node and round
        for (int page = 0; page < NUDGE_PAGES; page++) {
            List<MessageLog.Unanswered> due = log.unanswered(now, NUDGE_PAGE);
            for (MessageLog.Unanswered unanswered : due) {
                if (!nudge(unanswered, now, online.computeIfAbsent(unanswered.toNode(), peers::online))) {
                    return false;
                }
            }
            if (due.size() < NUDGE_PAGE) {
                break;
            }
        }
        return true;
    }

    private static final int NUDGE_PAGE = 100;
    private static final int NUDGE_PAGES = 10;

    private boolean nudge(MessageLog.Unanswered unanswered, Instant now, boolean online) {
        if (!online) {
            log.nudged(unanswered.id(), now.plus(MAX_BACKOFF), false);
            return true;
        }
        Optional<EdgeMessage> message = stored(unanswered.id());
        if (message.isEmpty() || !message.get().expiresAt().isAfter(now)) {
            return true; // expired: the next round ends it
        }
        int nudge = unanswered.nudges() + 1;
        if (!publish(message.get(), "~" + nudge)) {
            return false;
        }
        log.nudged(unanswered.id(), now.plus(message.get().timeout()).plus(backoff(nudge + 1)), true);
        LOG.infof("message %s to %s (%s): neither a receipt nor an answer came in time; published again (%d), the node"
                + " runs it at most once", unanswered.id(), unanswered.toNode(), message.get().method(), nudge);
        return true;
    }

    /**
     * A node came back online: what it waited for reaches it from the stream now, and what was lost on the way is
     * published again after twice the backoff (not after the longest backoff that its absence set).
     */
    public void nodeBack(String node) {
        try {
            log.lookAgain(node, Instant.now().plus(retryBackoff.multipliedBy(2)));
        } catch (RuntimeException e) {
            LOG.debugf("messages to %s not looked at again now (%s); they are when their look is due", node, e.getMessage());
        }
    }

    /** The wait before deciding on retry {@code attempt} (2 = the first retry): the backoff, doubled each time, ≤ 5 min. */
    Duration backoff(int attempt) {
        Duration wait = retryBackoff.multipliedBy(1L << Math.min(16, Math.max(0, attempt - 1)));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private void giveUp(MessageLog.Overdue overdue) {
        if (log.noAnswer(overdue.id(), overdue.attempts())) {
            LOG.warnf("message %s to %s (%s): no answer after %d attempt(s); failed", overdue.id(), overdue.toNode(),
                    overdue.method(), overdue.attempts());
            metrics.count(overdue.toNode(), overdue.method(), "failed");
            log.find(overdue.id()).ifPresent(entry -> finished(entry, Instant.now()));
            report(overdue.toNode(), overdue.id(), overdue.method(), EdgeError.NO_ANSWER,
                    "delivered, but no answer within the timeout after " + overdue.attempts() + " attempt(s)");
        }
    }

    /** Stores a message that cannot be sent as failed at once (reported like any failure). */
    public void storeFailed(EdgeMessage message, int retries, EdgeError error, String why) {
        log.insert(message, retries);
        metrics.count(message.toNode(), message.method(), "sent");
        cannotBeSent(message, error, why);
    }

    private void cannotBeSent(EdgeMessage message, EdgeError error, String why) {
        if (log.failed(message.id(), error, why)) {
            LOG.warnf("message %s to %s (%s) cannot be sent: %s", message.id(), message.toNode(), message.method(), why);
            metrics.count(message.toNode(), message.method(), "failed");
            report(message.toNode(), message.id(), message.method(), error, why);
            log.find(message.id()).ifPresent(entry -> finished(entry, Instant.now()));
        }
    }

    private void finished(MessageLog.Entry entry, Instant at) {
        try {
            events.fire(new EdgeMessageFinished(entry.id(), entry.toNode(), entry.method(), entry.status(), entry.exitCode(),
                    entry.error(), entry.attempts(), entry.createdAt(), at == null ? Instant.now() : at));
        } catch (RuntimeException e) {
            LOG.warnf("the end of message %s was not announced: %s", entry.id(), e.toString());
        }
    }

    private Optional<EdgeMessage> stored(String id) {
        return log.stored(id).map(m -> new EdgeMessage(m.id(), self, m.toNode(), m.kind(), m.method(), m.data(), m.timeout(),
                m.expiresAt(), Optional.empty(), Optional.empty()));
    }

    private void report(String node, String id, String method, EdgeError error, String text) {
        try {
            errors.report(node, id, method, error, text);
        } catch (RuntimeException e) {
            LOG.debugf("%s of %s not reported: %s", error.code(), id, e.getMessage());
        }
    }
}
