package io.netwarden.edge.node;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.concurrent.Parallel;
import io.netwarden.platform.messaging.durable.Delivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The answers of one batch of a node: collected while the batch runs, then sent together, {@link #PARALLEL} at a time
 * so that the broker's round trips overlap.
 *
 * <pre>
 *   add(delivery, message, ack) ... ─▶ send(): for each, in parallel:
 *        ACK cut to fit, signed ─▶ to the sender ─▶ failed? reported to the error log ─▶ delivery acked
 *        └ the ACK could not be stored ─▶ the delivery stays unanswered (the consumer gives it again; the execution
 *          log then answers with the stored result)
 * </pre>
 *
 * Thread safety: {@link #add} on the batch's thread only; {@link #send} once, after the adds.
 */
final class Answers {

    private static final Logger LOG = Logger.getLogger(Answers.class);
    /** Answers in flight at once. */
    static final int PARALLEL = 32;

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
        Parallel.forEach(pending, PARALLEL, this::answer);
        pending.clear();
    }

    private boolean answer(Answer answer) {
        EdgeAck ack = answer.ack();
        try {
            acks.send(answer.message().fromNode(), signatures.sign(EdgeAckWire.fit(ack, Outgoing.MAX_DATA)));
        } catch (RuntimeException e) {
            LOG.warnf("node %s: the answer to message %s was not sent (%s); it is sent again when the message comes again",
                    node, answer.message().id(), e.getMessage());
            return true;
        }
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
            answer.delivery().ack();
        } catch (RuntimeException e) {
            LOG.debugf("node %s: the delivery of message %s was not acked (%s); it comes again and is answered again",
                    node, answer.message().id(), e.getMessage());
        }
        return true;
    }
}
