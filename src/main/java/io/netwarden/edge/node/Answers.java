package io.netwarden.edge.node;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.messaging.durable.Delivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The answers of one batch of a node: collected while the batch runs, then sent together, pipelined on the broker link.
 *
 * <pre>
 *   add(delivery, message, ack) ... ─▶ send(): each ACK cut to fit, signed, and sent (all started at once)
 *        ─▶ then, in order, each one stored? ─▶ failed? reported to the error log ─▶ delivery acked (no wait)
 *                                └ not stored ─▶ the delivery stays unanswered (the consumer gives it again; the
 *                                  execution log then answers with the stored result)
 * </pre>
 *
 * Acking a delivery without waiting for the broker is safe: a copy handed out again because an ack was lost finds its
 * result in the execution log (a method that changes nothing, such as ping, just runs again).
 * Thread safety: {@link #add} on the batch's thread only; {@link #send} once, after the adds.
 */
final class Answers {

    private static final Logger LOG = Logger.getLogger(Answers.class);
    /** How long a sent answer may take to be confirmed before it is taken as not sent. */
    static final Duration CONFIRM_WAIT = Duration.ofSeconds(10);

    private record Answer(Delivery delivery, EdgeMessage message, EdgeAck ack) {
    }

    private final String node;
    private final EdgeNode.AckSink acks;
    private final CommandSignatures signatures;
    private final EdgeNode.ErrorSink errors;
    private final List<Answer> pending = new ArrayList<>();

    Answers(String node, EdgeNode.AckSink acks, CommandSignatures signatures, EdgeNode.ErrorSink errors) {
        this.node = node;
        this.acks = acks;
        this.signatures = signatures;
        this.errors = errors;
    }

    void add(Delivery delivery, EdgeMessage message, EdgeAck ack) {
        pending.add(new Answer(delivery, message, ack));
    }

    /** Sends what was added; returns when each is sent or has failed (failures are logged, their deliveries left). */
    void send() throws InterruptedException {
        List<CompletableFuture<?>> sent = new ArrayList<>(pending.size());
        for (Answer answer : pending) {
            sent.add(start(answer));
        }
        long due = System.nanoTime() + CONFIRM_WAIT.toNanos(); // one wait for the whole batch, not one per answer
        for (int i = 0; i < pending.size(); i++) {
            finish(pending.get(i), sent.get(i), due);
        }
        pending.clear();
    }

    private CompletableFuture<?> start(Answer answer) {
        try {
            return acks.send(answer.message().fromNode(), signatures.sign(EdgeAckWire.fit(answer.ack(), Outgoing.MAX_DATA)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void finish(Answer answer, CompletableFuture<?> sent, long due) throws InterruptedException {
        try {
            sent.get(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warnf("node %s: the answer to message %s was not sent (%s); it is sent again when the message comes again",
                    node, answer.message().id(), cause.getMessage());
            return;
        }
        EdgeAck ack = answer.ack();
        if (!ack.ok() && !answer.message().method().equals("errorLog")) {
            try {
                errors.report(node, answer.message().id(), answer.message().method(), ack.error().orElse(EdgeError.FAILED),
                        ack.errorText());
            } catch (RuntimeException e) {
                LOG.warnf("node %s: the failure of message %s could not be reported to the central: %s", node,
                        answer.message().id(), e.getMessage());
            }
        }
        try {
            answer.delivery().ackNoWait();
        } catch (RuntimeException e) {
            LOG.debugf("node %s: the delivery of message %s was not acked (%s); it comes again and is answered again",
                    node, answer.message().id(), e.getMessage());
        }
    }
}
