package io.netwarden.edge.central;

import io.netwarden.edge.delivery.EdgeStreams;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.messaging.durable.ConsumerSpec;
import io.netwarden.platform.messaging.durable.Delivery;
import io.netwarden.platform.messaging.durable.DeliveryUnavailableException;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.time.Duration;
import java.time.Instant;
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
 *   EDGE_ACKS <self>.ack.* ─▶ log: acked │ failed          sweeper (every sweep-interval): expire, publish again
 * </pre>
 *
 * Thread safety: the log and the delivery are thread-safe; the sweeper is one virtual thread.
 */
public final class EdgeSender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EdgeSender.class);
    static final Duration ACK_WAIT = Duration.ofSeconds(30);

    private final String self;
    private final DurableDelivery delivery;
    private final CommandSignatures signatures;
    private final MessageLog log;
    private final Duration sweepInterval;
    private final io.netwarden.edge.node.EdgeNode.ErrorSink errors;
    private final EdgeMetrics metrics;
    private DurableDelivery.Consumption acks;
    private Thread sweeper;

    /** @param errors where expired messages are reported (the central's error log) */
    public EdgeSender(String self, DurableDelivery delivery, CommandSignatures signatures, MessageLog log, Duration sweepInterval,
            io.netwarden.edge.node.EdgeNode.ErrorSink errors, EdgeMetrics metrics) {
        this.self = self;
        this.delivery = delivery;
        this.signatures = signatures;
        this.log = log;
        this.sweepInterval = sweepInterval;
        this.errors = errors;
        this.metrics = metrics;
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
        acks = delivery.consume(new ConsumerSpec(EdgeStreams.ACKS, "acks-" + self, self + ".ack.*", ACK_WAIT, 0, 64),
                this::onAck);
        sweeper = Thread.ofVirtual().name("edge-sweeper").start(this::sweep);
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
    }

    /** Stores and sends; the message is pending once this returns, whether or not the broker took it yet. */
    public void send(EdgeMessage message, int retries) {
        log.insert(message, retries);
        metrics.count(message.toNode(), message.method(), "sent");
        publish(message);
    }

    private boolean publish(EdgeMessage message) {
        try {
            EdgeMessage signed = signatures.sign(message);
            delivery.publish(EdgeStreams.MESSAGES, new Outgoing(signed.subject(), Map.of(), EdgeWire.write(signed),
                    Optional.of(signed.id())));
            log.published(message.id());
            return true;
        } catch (DeliveryUnavailableException e) {
            LOG.debugf("message %s not stored in the stream yet (%s); the sweeper tries again", message.id(), e.getMessage());
            return false;
        }
    }

    private void onAck(Delivery received) {
        EdgeAck ack;
        try {
            ack = EdgeAckWire.read(received.data());
        } catch (IllegalArgumentException e) {
            LOG.warnf("an answer on %s is not valid (%s); dropped", received.subject(), e.getMessage());
            received.term();
            return;
        }
        if (!received.subject().equals(EdgeStreams.ackSubject(self, ack.node()))) {
            LOG.warnf("an answer from %s came on %s; dropped", ack.node(), received.subject());
            received.term();
            return;
        }
        if (!log.acked(ack)) {
            LOG.debugf("answer for %s from %s: not pending here (unknown, already answered or expired)", ack.messageId(), ack.node());
        } else {
            log.find(ack.messageId()).ifPresent(entry -> {
                metrics.count(entry.toNode(), entry.method(), entry.status());
                if (entry.ackedAt() != null) {
                    metrics.answered(entry.method(), entry.createdAt(), entry.ackedAt());
                }
            });
        }
        received.ack();
    }

    private void sweep() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(sweepInterval);
                for (MessageLog.Entry expired : log.expire(Instant.now())) {
                    LOG.warnf("message %s to %s (%s) expired without an answer", expired.id(), expired.toNode(), expired.method());
                    metrics.count(expired.toNode(), expired.method(), "expired");
                    try {
                        errors.report(expired.toNode(), expired.id(), expired.method(), io.netwarden.edge.EdgeError.EXPIRED,
                                "its time to live ended before " + expired.toNode() + " answered");
                    } catch (RuntimeException e) {
                        LOG.debugf("expiry of %s not reported: %s", expired.id(), e.getMessage());
                    }
                }
                for (String id : log.unpublished(100)) {
                    Optional<MessageLog.StoredMessage> stored = log.stored(id);
                    if (stored.isEmpty()) {
                        continue;
                    }
                    MessageLog.StoredMessage m = stored.get();
                    EdgeMessage message = new EdgeMessage(m.id(), self, m.toNode(), m.kind(), m.method(), m.data(), m.timeout(),
                            m.expiresAt(), Optional.empty(), Optional.empty());
                    if (!publish(message)) {
                        break; // still away: the rest waits for the next round
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("edge sweeper: %s", e.getMessage());
            }
        }
    }
}
