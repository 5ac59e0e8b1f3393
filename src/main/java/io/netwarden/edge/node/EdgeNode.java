package io.netwarden.edge.node;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.messaging.durable.ConsumerSpec;
import io.netwarden.platform.messaging.durable.Delivery;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The receiving side of one edge node: durable consumers of {@code <name>.command.*} and {@code <name>.event.*} on the
 * edge stream, and for each message
 * the steps below, on the message's own virtual thread. Not a singleton: a process runs one per node it is, and the
 * fleet bench runs a thousand in one JVM.
 *
 * <pre>
 *   delivery ─▶ parse, subject, signatures ─ cannot be read ─▶ error, never retried (term)
 *            ─▶ wrong node │ wrong subject │ unsigned │ untrusted │ bad signature │ expired ─▶ refused ACK, done
 *            ─▶ method known? ─ no ─▶ UNKNOWN_METHOD     taken as this kind (command │ event)? ─ no ─▶ NOT_ALLOWED
 *            ─▶ running here now? ─▶ in progress (a redelivery while it runs)
 *            ─▶ execution log: seen ─ done ─▶ the stored result again (never run twice; another method: refused)
 *                                   └ running ─▶ INTERRUPTED (this node stopped while it ran)
 *                              new ─▶ run (timeout; the delivery kept alive; receipt after 1 s) ─▶ log result ─▶ ACK
 * </pre>
 *
 * One command and one event at a time per node (max in flight 1 per consumer): the node's commands run in the order
 * they were stored, and so do its events (a long command does not hold up an event such as textLogging). Thread
 * safety: the running set is concurrent; everything else is immutable or thread-safe.
 */
public final class EdgeNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EdgeNode.class);
    /** A delivery not answered within this is given again; long commands renew it. */
    static final Duration ACK_WAIT = Duration.ofSeconds(30);
    /** A method still running after this sends a receipt, so the sender sees the message delivered; quick ones just answer. */
    static final Duration RECEIPT_AFTER = Duration.ofSeconds(1);

    private final String name;
    private final String stream;
    private final DurableDelivery delivery;
    private final CommandSignatures signatures;
    private final Map<String, EdgeMethod> methods;
    private final ExecutionLog log;
    private final AckSink acks;
    private final ErrorSink errors;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final List<DurableDelivery.Consumption> consumptions = new ArrayList<>();

    /** Where a node's answers go: back to the node that sent the message. */
    @FunctionalInterface
    public interface AckSink {
        void send(String sender, EdgeAck ack);
    }

    /** Where failures are reported: the central's error log. */
    @FunctionalInterface
    public interface ErrorSink {
        void report(String node, String messageId, String method, EdgeError error, String text);
    }

    /**
     * @param stream the edge stream's name
     * @param acks where answers go
     */
    public EdgeNode(String name, String stream, DurableDelivery delivery, CommandSignatures signatures,
            Map<String, EdgeMethod> methods, ExecutionLog log, AckSink acks, ErrorSink errors) {
        this.name = name;
        this.stream = stream;
        this.delivery = delivery;
        this.signatures = signatures;
        this.methods = Map.copyOf(methods);
        this.log = log;
        this.acks = acks;
        this.errors = errors;
    }

    public String name() {
        return name;
    }

    /** Starts one durable consumer per kind: {@code node-<name>-command} on {@code <name>.command.*}, and one for events. */
    public synchronized void start() {
        if (consumptions.isEmpty()) {
            for (EdgeMessage.Kind kind : EdgeMessage.Kind.values()) {
                consumptions.add(delivery.consume(new ConsumerSpec(stream, "node-" + name + "-" + kind, name + "." + kind + ".*",
                        ACK_WAIT, 0, 1), this::handle));
            }
        }
    }

    @Override
    public synchronized void close() {
        consumptions.forEach(DurableDelivery.Consumption::close);
        consumptions.clear();
    }

    void handle(Delivery delivery) throws InterruptedException {
        EdgeMessage message;
        Optional<EdgeError> refusal;
        try {
            message = EdgeWire.read(delivery.data());
        } catch (RuntimeException e) {
            drop(delivery, e); // reading touches nothing else: what fails here fails every time
            return;
        }
        try {
            refusal = delivery.subject().equals(message.subject()) ? signatures.check(message)
                    : Optional.of(EdgeError.INVALID_MESSAGE);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            drop(delivery, e); // a database that is away (a pinned key looked up) is not dropped: the handler fails, tried again
            return;
        }
        if (refusal.isPresent()) {
            LOG.warnf("node %s: message %s (%s) refused: %s", name, message.id(), message.subject(), refusal.get().code());
            answer(delivery, message, EdgeAck.refused(message.id(), name, refusal.get(), refusalText(refusal.get())));
            return;
        }
        EdgeMethod method = methods.get(message.method());
        if (method == null) {
            answer(delivery, message, EdgeAck.refused(message.id(), name, EdgeError.UNKNOWN_METHOD, "no method " + message.method()
                    + " on node " + name + " (methods: " + methods.keySet().stream().sorted().toList() + ")"));
            return;
        }
        if (!method.kinds().contains(message.kind())) {
            answer(delivery, message, EdgeAck.refused(message.id(), name, EdgeError.NOT_ALLOWED, message.method()
                    + " is sent as " + method.kinds().stream().map(Enum::name).sorted().toList() + " only"));
            return;
        }
        // keyed by sender and id: an id another sender used (by mistake or on purpose) cannot block this message
        String key = message.fromNode() + "/" + message.id();
        if (!running.add(key)) {
            delivery.inProgress(); // delivered again while it still runs here: the first run answers
            return;
        }
        MethodResult result;
        try {
            Optional<ExecutionLog.Entry> seen = log.begin(name, key, message.method());
            if (seen.isPresent() && !seen.get().method().equals(message.method())) {
                result = MethodResult.failed(EdgeError.INVALID_MESSAGE, "this id was used by another message");
            } else if (seen.isPresent()) {
                result = seen.get().result().orElseGet(() -> log.interrupted(name, key));
            } else {
                result = run(method, message, delivery);
                log.finish(name, key, result);
            }
        } finally {
            // before the ack: the next copy of the same id may be handed out the moment this one is acked
            running.remove(key);
        }
        answer(delivery, message, new EdgeAck(message.id(), name, result.succeeded(), result.output(), result.exitCode(),
                result.truncated(), result.error(), result.errorText(), false, Optional.empty(), Optional.empty()));
    }

    /** Never retried: a message that cannot be read or checked now never can, and would hold up the rest. */
    private void drop(Delivery delivery, RuntimeException e) {
        LOG.warnf("node %s: a message on %s is not valid (%s); dropped", name, delivery.subject(), e.getMessage());
        delivery.term();
    }

    /**
     * Runs the method; one that runs longer than {@link #RECEIPT_AFTER} sends the sender a receipt, and the delivery is
     * renewed so that a long command is not given to anyone again meanwhile.
     */
    private MethodResult run(EdgeMethod method, EdgeMessage message, Delivery delivery) throws InterruptedException {
        Thread keeper = Thread.ofVirtual().name("edge-keep-" + message.id()).start(() -> {
            try {
                Thread.sleep(RECEIPT_AFTER);
                try {
                    acks.send(message.fromNode(), signatures.sign(EdgeAck.receipt(message.id(), name)));
                } catch (RuntimeException e) {
                    LOG.debugf("node %s: the receipt of message %s was not sent: %s", name, message.id(), e.toString());
                }
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(ACK_WAIT.dividedBy(3));
                    delivery.inProgress();
                }
            } catch (InterruptedException done) {
                // the method ended
            } catch (RuntimeException e) {
                LOG.debugf("node %s: keeping message %s alive failed: %s", name, message.id(), e.toString());
            }
        });
        try {
            return method.run(message, message.timeout());
        } catch (RuntimeException e) {
            LOG.errorf("node %s: method %s failed on message %s: %s", name, message.method(), message.id(), e.toString());
            return MethodResult.failed(EdgeError.FAILED, "the method failed: " + e.getClass().getSimpleName());
        } finally {
            keeper.interrupt();
        }
    }

    private void answer(Delivery delivery, EdgeMessage message, EdgeAck ack) {
        acks.send(message.fromNode(), signatures.sign(EdgeAckWire.fit(ack, Outgoing.MAX_DATA)));
        if (!ack.ok() && !message.method().equals("errorLog")) {
            try {
                errors.report(name, message.id(), message.method(), ack.error().orElse(EdgeError.FAILED), ack.errorText());
            } catch (RuntimeException e) {
                LOG.warnf("node %s: the failure of message %s could not be reported to the central: %s", name, message.id(),
                        e.getMessage());
            }
        }
        delivery.ack();
    }

    private static String refusalText(EdgeError error) {
        return switch (error) {
            case WRONG_NODE -> "addressed to another node";
            case UNSIGNED -> "commands must be signed";
            case UNTRUSTED_KEY -> "signed by a key this node does not trust (netwarden.edge.signing.trusted-keys-file)";
            case BAD_SIGNATURE -> "the signature does not match the message";
            case EXPIRED -> "its time to live ended before it could run";
            case INVALID_MESSAGE -> "it came on another subject than the one it names";
            default -> error.code();
        };
    }
}
