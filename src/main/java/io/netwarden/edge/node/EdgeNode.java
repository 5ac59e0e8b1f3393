package io.netwarden.edge.node;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.messaging.durable.ConsumerSpec;
import io.netwarden.platform.messaging.durable.Delivery;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The receiving side of one edge node: durable consumers of {@code <name>.command.*} and {@code <name>.event.*} on the
 * edge stream, each handing over what arrived in batches (in stream order, one batch at a time per consumer). Not a
 * singleton: a process runs one per node it is, and the fleet bench runs a thousand in one JVM.
 *
 * <pre>
 *   batch ─▶ each delivery: parse, subject, signatures ─ cannot be read ─▶ dropped, never retried (term)
 *            ─▶ wrong node │ wrong subject │ unsigned │ untrusted │ bad signature │ expired ─▶ refused ACK
 *            ─▶ method known? ─ no ─▶ UNKNOWN_METHOD     taken as this kind (command │ event)? ─ no ─▶ NOT_ALLOWED
 *            ─▶ running here now? ─▶ in progress (a redelivery while it runs; it comes again)
 *         ─▶ the rest in groups, in order: quick methods up to the first one that is not quick (which follows on its
 *            own, once the quick ones are answered)
 *            ─▶ execution log, one write for the group (not for methods that change nothing, such as ping):
 *                 seen ─ done ─▶ the stored result again (never run twice; another method: refused)
 *                      └ running ─▶ INTERRUPTED (the node stopped while it ran)
 *                 new ─▶ run, in order (timeout; receipt after 1 s)
 *            ─▶ execution log: the results, one write ─▶ ACKs signed and published (pipelined), deliveries acked
 *   a batch that holds a message given before (the last batch failed, or the node stopped) ─▶ one message at a time:
 *            fails ─▶ again after 1, 2, 4 … 60 s, the messages after it held back till then ─ 8th failure ─▶ failed ACK
 * </pre>
 *
 * The node's commands run in the order they were stored, and so do its events (a long command does not hold up an
 * event such as textLogging: they have their own consumer). A group is recorded as started before any of it runs, so
 * each message runs at most once; a node stopped in the middle of a group reports the rest of it interrupted too, which
 * is why only {@link EdgeMethod#quick() quick} methods are grouped: a slow one is recorded, run and answered alone. Thread safety: each consumer's
 * batches run on its own thread; the running set is concurrent; everything else is immutable or thread-safe.
 */
public final class EdgeNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EdgeNode.class);
    /** A delivery not answered within this is given again; waiting and running ones are renewed. */
    static final Duration ACK_WAIT = Duration.ofSeconds(30);
    /** A method still running after this sends a receipt, so the sender sees the message delivered; quick ones just answer. */
    static final Duration RECEIPT_AFTER = Duration.ofSeconds(1);
    /** Deliveries a consumer holds at once, and so the largest batch. */
    static final int BATCH = 256;

    /**
     * What the node does with a message it could not handle (its database is away, a method broke in a way it does not
     * catch): tries it again after {@code firstDelay}, doubling up to {@code maxDelay}; after {@code giveUpAfter}
     * failures it answers it {@code failed} and goes on with the next, so that one poisoned message cannot hold up
     * its consumer for ever.
     */
    record Retries(int giveUpAfter, Duration firstDelay, Duration maxDelay) {

        /** 1, 2, 4 … 60 s: about four minutes of tries before a message is given up. */
        static final Retries DEFAULT = new Retries(8, Duration.ofSeconds(1), Duration.ofMinutes(1));

        Duration delayAfter(int failures) {
            Duration delay = firstDelay.multipliedBy(1L << Math.min(failures - 1, 20));
            return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
        }
    }

    /** Failures counted per stream sequence while a message fails alone; at most this many are kept. */
    private static final int MAX_TRACKED_FAILURES = 10_000;
    /** A message held back behind one that failed comes again this long after that one is tried again. */
    private static final Duration HELD_AGAIN = Duration.ofMillis(300);

    private final String name;
    private final String stream;
    private final DurableDelivery delivery;
    private final CommandSignatures signatures;
    private final Map<String, EdgeMethod> methods;
    private final ExecutionLog log;
    private final AckSink acks;
    private final ErrorSink errors;
    private final Retries retries;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final List<DurableDelivery.Consumption> consumptions = new ArrayList<>();

    /** Where a node's answers go: back to the node that sent the message. */
    @FunctionalInterface
    public interface AckSink {
        /** Starts sending; the future ends once the answer is stored, or fails when it could not be. */
        java.util.concurrent.CompletableFuture<?> send(String sender, EdgeAck ack);
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
        this(name, stream, delivery, signatures, methods, log, acks, errors, Retries.DEFAULT);
    }

    EdgeNode(String name, String stream, DurableDelivery delivery, CommandSignatures signatures,
            Map<String, EdgeMethod> methods, ExecutionLog log, AckSink acks, ErrorSink errors, Retries retries) {
        this.retries = retries;
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
                consumptions.add(delivery.consumeBatches(new ConsumerSpec(stream, "node-" + name + "-" + kind,
                        name + "." + kind + ".*", ACK_WAIT, 0, BATCH), new InOrder()));
            }
        }
    }

    @Override
    public synchronized void close() {
        consumptions.forEach(DurableDelivery.Consumption::close);
        consumptions.clear();
    }

    /** A message that passed the checks and is to run: its delivery, the method, and its key in the execution log. */
    private record Ready(Delivery delivery, EdgeMessage message, EdgeMethod method, String key) {
    }

    /**
     * One consumer's batches, in order. A message that comes again (its batch failed, or the node stopped) is handled
     * alone, so that one that fails every time fails alone; while it waits to be tried again, the messages after it
     * wait too, which keeps their order. Thread safety: the consumer's one worker thread calls it.
     */
    private final class InOrder implements DurableDelivery.BatchHandler {

        /** Failures per stream sequence while a message fails alone. */
        private final Map<Long, Integer> failures = new java.util.HashMap<>();
        /** The sequence of the message that failed and waits to be tried again (the ones after it wait too), or -1. */
        private long waiting = -1;
        /** When it is tried again. */
        private Instant waitingUntil = Instant.MIN;

        @Override
        public void handle(List<Delivery> batch) throws InterruptedException {
            if (waiting >= 0 && Instant.now().isAfter(waitingUntil.plus(ACK_WAIT))) {
                LOG.warnf("node %s: the message of sequence %d did not come again; the ones after it go on", name, waiting);
                failures.remove(waiting);
                waiting = -1; // gone meanwhile (its age ran out in the stream): the rest must not wait for it for ever
            }
            if (waiting < 0 && batch.stream().allMatch(d -> d.attempt() == 1)) {
                try {
                    handleTogether(batch);
                } catch (RuntimeException | Error e) {
                    // the batch comes again after a second; what arrives meanwhile waits behind its first message
                    waiting = batch.getFirst().sequence();
                    waitingUntil = Instant.now().plus(DurableDelivery.HANDLER_FAILED_RETRY);
                    throw e;
                }
                return;
            }
            for (Delivery next : batch) {
                if (waiting >= 0 && next.sequence() > waiting) {
                    Duration left = Duration.between(Instant.now(), waitingUntil);
                    next.nak(left.isNegative() ? HELD_AGAIN : left.plus(HELD_AGAIN)); // once the one before it is handled
                    continue;
                }
                try {
                    handleTogether(List.of(next));
                    failures.remove(next.sequence());
                    if (next.sequence() == waiting) {
                        waiting = -1;
                    }
                } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                    failed(next, e);
                }
            }
        }

        private void failed(Delivery delivery, Throwable e) throws InterruptedException {
            int failed = failures.size() < MAX_TRACKED_FAILURES || failures.containsKey(delivery.sequence())
                    ? failures.merge(delivery.sequence(), 1, Integer::sum) : 1;
            if (failed >= retries.giveUpAfter()) {
                failures.remove(delivery.sequence());
                waiting = delivery.sequence() == waiting ? -1 : waiting;
                giveUp(delivery, e, failed);
                return;
            }
            Duration delay = retries.delayAfter(failed);
            LOG.warnf("node %s: the message on %s (sequence %d) could not be handled (%s, failure %d of %d); it is tried"
                    + " again in %s, and the ones after it wait", name, delivery.subject(), delivery.sequence(),
                    e.toString(), failed, retries.giveUpAfter(), delay);
            waiting = delivery.sequence();
            waitingUntil = Instant.now().plus(delay);
            delivery.nak(delay);
        }
    }

    /** Answers a message that failed {@code failed} times {@code failed} and reports it, instead of trying it again. */
    private void giveUp(Delivery delivery, Throwable cause, int failed) throws InterruptedException {
        EdgeMessage message;
        try {
            message = EdgeWire.read(delivery.data());
        } catch (RuntimeException e) {
            drop(delivery, e);
            return;
        }
        LOG.errorf("node %s: message %s (%s) failed %d times (last: %s); answered failed, not tried again", name,
                message.id(), message.subject(), failed, cause.toString());
        Answers answers = new Answers(name, acks, signatures, errors);
        answers.add(delivery, message, EdgeAck.refused(message.id(), name, EdgeError.FAILED, "the node could not handle"
                + " it (" + failed + " tries, the last failed with " + cause.getClass().getSimpleName() + "); not tried again"));
        answers.send();
    }

    /** Handles a batch: checks each message, then runs what is to run, in groups; answers what it can. */
    private void handleTogether(List<Delivery> batch) throws InterruptedException {
        Answers answers = new Answers(name, acks, signatures, errors);
        List<Ready> group = new ArrayList<>();
        try {
            for (Delivery received : batch) {
                Ready next = check(received, answers);
                if (next == null) {
                    continue;
                }
                group.add(next);
                if (!next.method().quick()) {
                    runGroup(group, answers);
                    group.clear();
                }
            }
            runGroup(group, answers);
        } finally {
            group.forEach(r -> running.remove(r.key()));
            answers.send(); // what is answered so far goes out even when a group failed (the rest comes again)
        }
    }

    /** The message to run, or null when it is answered (refused), dropped or already running here. */
    private Ready check(Delivery delivery, Answers answers) {
        EdgeMessage message;
        Optional<EdgeError> refusal;
        try {
            message = EdgeWire.read(delivery.data());
        } catch (RuntimeException e) {
            drop(delivery, e); // reading touches nothing else: what fails here fails every time
            return null;
        }
        try {
            refusal = delivery.subject().equals(message.subject()) ? signatures.check(message)
                    : Optional.of(EdgeError.INVALID_MESSAGE);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            drop(delivery, e); // a database that is away (a pinned key looked up) is not dropped: the batch fails, tried again
            return null;
        }
        if (refusal.isPresent()) {
            LOG.warnf("node %s: message %s (%s) refused: %s", name, message.id(), message.subject(), refusal.get().code());
            answers.add(delivery, message, EdgeAck.refused(message.id(), name, refusal.get(), refusalText(refusal.get())));
            return null;
        }
        EdgeMethod method = methods.get(message.method());
        if (method == null) {
            answers.add(delivery, message, EdgeAck.refused(message.id(), name, EdgeError.UNKNOWN_METHOD, "no method "
                    + message.method() + " on node " + name + " (methods: " + methods.keySet().stream().sorted().toList() + ")"));
            return null;
        }
        if (!method.kinds().contains(message.kind())) {
            answers.add(delivery, message, EdgeAck.refused(message.id(), name, EdgeError.NOT_ALLOWED, message.method()
                    + " is sent as " + method.kinds().stream().map(Enum::name).sorted().toList() + " only"));
            return null;
        }
        // keyed by sender and id: an id another sender used (by mistake or on purpose) cannot block this message
        String key = message.fromNode() + "/" + message.id();
        if (!running.add(key)) {
            delivery.inProgress(); // a copy of one that runs here now (or waits in this batch): it comes again later
            return null;
        }
        return new Ready(delivery, message, method, key);
    }

    /**
     * Runs a group: its quick messages, answered before the slow one that may end it starts (so that their answers do
     * not wait for it, and a stop while it runs cannot make them look interrupted), then the slow one.
     */
    private void runGroup(List<Ready> group, Answers answers) throws InterruptedException {
        if (group.isEmpty()) {
            return;
        }
        Ready last = group.getLast();
        if (group.size() > 1 && !last.method().quick()) {
            runRecorded(group.subList(0, group.size() - 1), answers);
            answers.send();
            runRecorded(List.of(last), answers);
        } else {
            runRecorded(group, answers);
        }
    }

    /** Records the messages as started, runs what is new in order, records the results; the answers are queued. */
    private void runRecorded(List<Ready> group, Answers answers) throws InterruptedException {
        Map<String, Optional<ExecutionLog.Entry>> seen = new java.util.HashMap<>(log.beginAll(name, group.stream()
                .filter(r -> r.method().recorded()).map(r -> new ExecutionLog.Claim(r.key(), r.message().method())).toList()));
        group.stream().filter(r -> !r.method().recorded()).forEach(r -> seen.put(r.key(), Optional.empty()));
        Map<String, MethodResult> results = new LinkedHashMap<>();
        List<MethodResult> answered = new ArrayList<>();
        try {
            runEach(group, seen, results, answered);
        } catch (RuntimeException | Error e) {
            // the one that failed stays claimed (it may have done something); the ones after it never started
            List<String> notStarted = group.subList(Math.min(answered.size() + 1, group.size()), group.size()).stream()
                    .filter(r -> r.method().recorded() && seen.get(r.key()).isEmpty()).map(Ready::key).toList();
            try {
                log.finishAll(name, results); // what ran before the failure keeps its result (not reported interrupted)
                log.release(name, notStarted); // and what never started runs when it comes again
            } catch (RuntimeException notWritten) {
                e.addSuppressed(notWritten);
            }
            throw e;
        }
        log.finishAll(name, results);
        // before the acks: the next copy of the same id may be handed out the moment this one is acked
        group.forEach(r -> running.remove(r.key()));
        for (int i = 0; i < group.size(); i++) {
            Ready r = group.get(i);
            MethodResult result = answered.get(i);
            answers.add(r.delivery(), r.message(), new EdgeAck(r.message().id(), name, result.succeeded(), result.output(),
                    result.exitCode(), result.truncated(), result.error(), result.errorText(), false, Optional.empty(),
                    Optional.empty()));
        }
    }

    /** Runs what is new in the group, in order; collects every answer, and the results to record. */
    private void runEach(List<Ready> group, Map<String, Optional<ExecutionLog.Entry>> seen,
            Map<String, MethodResult> results, List<MethodResult> answered) throws InterruptedException {
        for (Ready r : group) {
            Optional<ExecutionLog.Entry> entry = seen.get(r.key());
            MethodResult result;
            if (entry.isPresent() && !entry.get().method().equals(r.message().method())) {
                result = MethodResult.failed(EdgeError.INVALID_MESSAGE, "this id was used by another message");
            } else if (entry.isPresent() && entry.get().result().isPresent()) {
                result = entry.get().result().get();
            } else if (entry.isPresent()) {
                result = ExecutionLog.INTERRUPTED;
                results.put(r.key(), result);
            } else {
                result = run(r.method(), r.message());
                if (r.method().recorded()) {
                    results.put(r.key(), result);
                }
            }
            answered.add(result);
        }
    }

    /** Never retried: a message that cannot be read or checked now never can, and would hold up the rest. */
    private void drop(Delivery delivery, RuntimeException e) {
        LOG.warnf("node %s: a message on %s is not valid (%s); dropped", name, delivery.subject(), e.getMessage());
        delivery.term();
    }

    /**
     * Runs the method; one that is not quick and runs longer than {@link #RECEIPT_AFTER} sends the sender a receipt, so that it shows the
     * message delivered (the consumer keeps the delivery from being handed out again meanwhile).
     */
    private MethodResult run(EdgeMethod method, EdgeMessage message) throws InterruptedException {
        if (method.quick()) {
            return call(method, message);
        }
        Thread receipt = Thread.ofVirtual().name("edge-receipt-" + message.id()).start(() -> {
            try {
                Thread.sleep(RECEIPT_AFTER);
                acks.send(message.fromNode(), signatures.sign(EdgeAck.receipt(message.id(), name)))
                        .get(Answers.CONFIRM_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException done) {
                // the method ended first
            } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.debugf("node %s: the receipt of message %s was not sent: %s", name, message.id(), e.toString());
            }
        });
        try {
            return call(method, message);
        } finally {
            receipt.interrupt();
        }
    }

    private MethodResult call(EdgeMethod method, EdgeMessage message) throws InterruptedException {
        try {
            return method.run(message, message.timeout());
        } catch (RuntimeException | LinkageError | AssertionError e) { // a plugged-in method built against other classes
            LOG.errorf("node %s: method %s failed on message %s: %s", name, message.method(), message.id(), e.toString());
            return MethodResult.failed(EdgeError.FAILED, "the method failed: " + e.getClass().getSimpleName());
        }
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
