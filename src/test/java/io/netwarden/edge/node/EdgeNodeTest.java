package io.netwarden.edge.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.edge.methods.ShellCommand;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import io.netwarden.platform.messaging.durable.StreamSpec;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One node's receiving side on the process' durable delivery (the database here) and its execution log: signatures,
 * methods, at-most-once, order.
 */
@QuarkusTest
class EdgeNodeTest {

    @Inject
    DurableDelivery delivery;

    @Inject
    ActiveDatabase database;

    private String stream;
    private String ship;
    private CommandSignatures central;
    /** The ship's own: checks the central's signatures, signs its answers. */
    private CommandSignatures atShip;
    private java.security.PublicKey centralPublic;
    private ExecutionLog log;
    private EdgeNode node;
    private final BlockingQueue<EdgeAck> acks = new LinkedBlockingQueue<>();
    private final AtomicInteger counted = new AtomicInteger();
    private final BlockingQueue<String> errors = new LinkedBlockingQueue<>();

    /** Counts its runs (all three share the count); answers the count. */
    private final EdgeMethod count = counting("count", false, true);
    /** {@link #count}, but quick: claimed in the execution log together with what arrives with it. */
    private final EdgeMethod quickCount = counting("quickCount", true, true);
    /** {@link #count}, but not recorded in the execution log (as ping). */
    private final EdgeMethod probe = counting("probe", true, false);

    private EdgeMethod counting(String name, boolean quick, boolean recorded) {
        return new EdgeMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean quick() {
                return quick;
            }

            @Override
            public boolean recorded() {
                return recorded;
            }

            @Override
            public MethodResult run(EdgeMessage message, Duration timeout) {
                return MethodResult.ok(counted.incrementAndGet() + " " + String.join(",", message.data()), 0, false);
            }
        };
    }

    /** Slow (not quick): runs until {@link #release} is counted down. */
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final EdgeMethod block = new EdgeMethod() {
        @Override
        public String name() {
            return "block";
        }

        @Override
        public MethodResult run(EdgeMessage message, Duration timeout) throws InterruptedException {
            boolean released = release.await(20, TimeUnit.SECONDS);
            return MethodResult.ok(released ? "released" : "not released", 0, false);
        }
    };

    @BeforeEach
    void node() throws Exception {
        String unique = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        stream = "edgetest" + unique;
        ship = "ship" + unique;
        delivery.declare(new StreamSpec(stream, List.of(ship + ".command.*", ship + ".event.*"), Duration.ofMinutes(5)));
        Path keys = Files.createTempDirectory("edge-keys");
        Ed25519Key centralKey = Ed25519Key.loadOrCreate(keys.resolve("central.pem"), keys.resolve("central.pub.pem"));
        Ed25519Key shipKey = Ed25519Key.loadOrCreate(keys.resolve("ship.pem"), keys.resolve("ship.pub.pem"));
        central = new CommandSignatures("central", centralKey, List.of(), Clock.systemUTC());
        centralPublic = centralKey.publicKey();
        atShip = new CommandSignatures(ship, shipKey, List.of(centralKey.publicKey()), Clock.systemUTC());
        log = new ExecutionLog(database.dataSource());
        node = new EdgeNode(ship, stream, delivery, atShip, Map.of("shellCommand", new ShellCommand(List.of("echo"), 65536),
                "count", count, "quickCount", quickCount, "probe", probe, "block", block), log, (sender, ack) -> java.util.concurrent.CompletableFuture.completedFuture(acks.add(ack)), (node, id, method, error, text) -> errors.add(id + " " + error.code()));
        node.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private EdgeMessage message(String id, String method, String... data) {
        return new EdgeMessage(id, "central", ship, EdgeMessage.Kind.command, method, List.of(data), Duration.ofSeconds(10),
                Instant.now().plusSeconds(60), Optional.empty(), Optional.empty());
    }

    /** Stores {@code message} as the central does; a null {@code dedupe} stores it again even with the same id. */
    private void send(EdgeMessage message, String dedupe) {
        delivery.publish(stream, new Outgoing(message.subject(), Map.of(), EdgeWire.write(message), Optional.ofNullable(dedupe)));
    }

    private EdgeAck nextAck() throws InterruptedException {
        EdgeAck ack = acks.poll(15, TimeUnit.SECONDS);
        assertTrue(ack != null, "no ACK");
        return ack;
    }

    @Test
    void aSignedCommandRunsAndItsAckCarriesTheOutput() throws Exception {
        send(central.sign(message("m1", "shellCommand", "echo", "hello from", ship)), "m1");
        EdgeAck ack = nextAck();
        assertEquals("m1", ack.messageId());
        assertTrue(ack.ok(), ack.errorText());
        assertEquals("hello from " + ship + "\n", ack.output());
        assertEquals(0, ack.exitCode());
    }

    @Test
    void aCommandRunsAtMostOnceAndARepeatGetsTheStoredResult() throws Exception {
        EdgeMessage signed = central.sign(message("m2", "count", "x"));
        send(signed, null);
        send(signed, null); // the same message id stored twice: a redelivery as the node sees it
        EdgeAck first = nextAck();
        EdgeAck second = nextAck();
        assertEquals("1 x", first.output());
        assertEquals("1 x", second.output(), "the stored result, not a second run");
        assertEquals(1, counted.get());
    }

    @Test
    void aCommandCutOffByAStopIsReportedInterruptedAndNotRunAgain() throws Exception {
        // Given: the log says it started here before (this node was killed while it ran)
        assertEquals(Optional.empty(), log.begin(ship, "central/m3", "count"));

        // When
        send(central.sign(message("m3", "count", "x")), "m3");

        // Then
        EdgeAck ack = nextAck();
        assertFalse(ack.ok());
        assertEquals(Optional.of(EdgeError.INTERRUPTED), ack.error());
        assertEquals(0, counted.get());
        assertEquals(Optional.of(EdgeError.INTERRUPTED), log.find(ship, "central/m3").orElseThrow().result().orElseThrow().error());
    }

    @Test
    void quickMessagesRunInGroupsInOrderAndEachOnce() throws Exception {
        // Given: 40 quick messages with a slow one (a group ends there) and a repeat of an earlier one among them
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "q" + i;
            EdgeMessage signed = central.sign(message(id, i == 17 ? "count" : "quickCount", Integer.toString(i)));
            send(signed, id);
            ids.add(id);
            if (i == 25) {
                send(central.sign(message("q3", "quickCount", "3")), null); // stored again: a redelivery as the node sees it
            }
        }
        // Then: each ran once, in the order stored; the repeat got the stored answer
        Map<String, List<String>> outputs = new java.util.HashMap<>();
        for (int i = 0; i < 41; i++) {
            EdgeAck ack = nextAck();
            assertTrue(ack.ok(), ack.errorText());
            outputs.computeIfAbsent(ack.messageId(), k -> new java.util.ArrayList<>()).add(ack.output());
        }
        for (int i = 0; i < 40; i++) {
            assertEquals((i + 1) + " " + i, outputs.get("q" + i).getFirst(), "q" + i + ": " + outputs);
        }
        assertEquals(List.of("4 3", "4 3"), outputs.get("q3"));
        assertEquals(40, counted.get());
        assertNull(acks.poll(500, TimeUnit.MILLISECONDS));
        for (String id : ids) {
            assertTrue(log.find(ship, "central/" + id).orElseThrow().result().orElseThrow().succeeded(), id);
        }
    }

    @Test
    void aMethodThatChangesNothingIsNotRecordedAndACopyIsAnsweredAgain() throws Exception {
        EdgeMessage signed = central.sign(message("p1", "probe", "x"));
        send(signed, null);
        assertEquals("1 x", nextAck().output());
        send(signed, null); // stored again: a redelivery as the node sees it
        assertEquals("2 x", nextAck().output(), "run again: nothing recorded it");
        assertEquals(Optional.empty(), log.find(ship, "central/p1"));
        // recorded methods in the same group still are
        send(central.sign(message("p2", "quickCount", "y")), "p2");
        assertEquals("3 y", nextAck().output());
        assertTrue(log.find(ship, "central/p2").orElseThrow().result().orElseThrow().succeeded());
    }

    @Test
    void quickMessagesBeforeASlowOneAreAnsweredAndRecordedBeforeItStarts() throws Exception {
        send(central.sign(message("b1", "quickCount", "a")), "b1");
        send(central.sign(message("b2", "quickCount", "b")), "b2");
        send(central.sign(message("b3", "block")), "b3");
        send(central.sign(message("b4", "quickCount", "c")), "b4");
        try {
            // the two before the slow one are answered and done while it still runs; the one after it waits its turn
            Map<String, String> early = new java.util.HashMap<>();
            for (int i = 0; i < 2; i++) {
                EdgeAck ack = nextAck();
                early.put(ack.messageId(), ack.output());
            }
            assertEquals(Map.of("b1", "1 a", "b2", "2 b"), early);
            assertTrue(log.find(ship, "central/b1").orElseThrow().result().isPresent(), "recorded as done already");
            assertNull(acks.poll(300, TimeUnit.MILLISECONDS), "b4 waits for the slow one");
        } finally {
            release.countDown();
        }
        assertEquals("released", nextAck().output());
        assertEquals("3 c", nextAck().output());
    }

    @Test
    void aGroupRecordedButCutOffBeforeItRanIsReportedInterruptedNotRun() throws Exception {
        // Given: a group was recorded as started and the node stopped before its end (nothing finished)
        Map<String, Optional<ExecutionLog.Entry>> claimed = log.beginAll(ship, List.of(
                new ExecutionLog.Claim("central/g1", "quickCount"), new ExecutionLog.Claim("central/g2", "quickCount"),
                new ExecutionLog.Claim("central/g1", "quickCount")));
        assertEquals(Map.of("central/g1", Optional.empty(), "central/g2", Optional.empty()), claimed, "new, each once");
        assertTrue(log.beginAll(ship, List.of(new ExecutionLog.Claim("central/g2", "quickCount"))).get("central/g2")
                .orElseThrow().running(), "a second claim sees it running");

        // When: both come again, with a new one
        send(central.sign(message("g1", "quickCount", "a")), "g1");
        send(central.sign(message("g2", "quickCount", "b")), "g2");
        send(central.sign(message("g3", "quickCount", "c")), "g3");

        // Then
        Map<String, EdgeAck> got = new java.util.HashMap<>();
        for (int i = 0; i < 3; i++) {
            EdgeAck ack = nextAck();
            got.put(ack.messageId(), ack);
        }
        assertEquals(Optional.of(EdgeError.INTERRUPTED), got.get("g1").error());
        assertEquals(Optional.of(EdgeError.INTERRUPTED), got.get("g2").error());
        assertEquals("1 c", got.get("g3").output(), "only the new one ran");
        assertEquals(1, counted.get());
    }

    @Test
    void unsignedAndUnknownAreRefusedWithoutRunning() throws Exception {
        send(message("m4", "count", "x"), "m4");
        EdgeAck unsigned = nextAck();
        assertEquals(Optional.of(EdgeError.UNSIGNED), unsigned.error());
        send(central.sign(message("m5", "reboot")), "m5");
        EdgeAck unknown = nextAck();
        assertEquals(Optional.of(EdgeError.UNKNOWN_METHOD), unknown.error());
        assertTrue(unknown.errorText().contains("count") && unknown.errorText().contains("shellCommand"), unknown.errorText());
        send(central.sign(message("m6", "shellCommand", "rm", "-rf", "/")), "m6");
        assertEquals(Optional.of(EdgeError.NOT_ALLOWED), nextAck().error());
        assertEquals(0, counted.get());
        // each refusal is reported to the central's error log
        assertEquals(List.of("m4 unsigned", "m5 unknown_method", "m6 not_allowed"),
                List.of(errors.poll(5, TimeUnit.SECONDS), errors.poll(5, TimeUnit.SECONDS), errors.poll(5, TimeUnit.SECONDS)));
    }

    @Test
    void aBrokenMessageIsDroppedAndDoesNotHoldUpTheNext() throws Exception {
        delivery.publish(stream, new Outgoing(ship + ".command.count", Map.of(), "{not json".getBytes(StandardCharsets.UTF_8),
                Optional.empty()));
        send(central.sign(message("m7", "count", "after")), "m7");
        EdgeAck ack = nextAck();
        assertEquals("m7", ack.messageId());
        assertEquals("1 after", ack.output());
        assertNull(acks.poll(500, TimeUnit.MILLISECONDS), "the broken one gets no ACK and is not retried");
    }

    @Test
    void messagesRunInTheOrderTheyWereStored() throws Exception {
        for (int i = 0; i < 20; i++) {
            send(central.sign(message("o" + i, "count", Integer.toString(i))), "o" + i);
        }
        // the answers of a batch go out in parallel; what tells the order is the count each message saw when it ran
        Map<String, String> outputs = new java.util.HashMap<>();
        for (int i = 0; i < 20; i++) {
            EdgeAck ack = nextAck();
            outputs.put(ack.messageId(), ack.output());
        }
        for (int i = 0; i < 20; i++) {
            assertEquals((i + 1) + " " + i, outputs.get("o" + i), "o" + i + " ran " + (i + 1) + ". of " + outputs);
        }
    }

    private EdgeMessage event(String id, String method, String... data) {
        return new EdgeMessage(id, "central", ship, EdgeMessage.Kind.event, method, List.of(data), Duration.ofSeconds(10),
                Instant.now().plusSeconds(60), Optional.empty(), Optional.empty());
    }

    @Test
    void eventsMustBeSignedTooAndRunOnlyMethodsThatTakeEvents() throws Exception {
        send(event("e1", "shellCommand", "echo", "PWNED"), "e1");
        assertEquals(Optional.of(EdgeError.UNSIGNED), nextAck().error(), "an unsigned event runs nothing");
        send(central.sign(event("e2", "shellCommand", "echo", "as an event")), "e2");
        EdgeAck asEvent = nextAck();
        assertEquals(Optional.of(EdgeError.NOT_ALLOWED), asEvent.error(), "shellCommand is a command only");
        assertTrue(asEvent.errorText().contains("[command]"), asEvent.errorText());
        assertEquals(0, counted.get());
    }

    @Test
    void anIdUsedByAnotherMessageIsRefusedNotAnsweredWithItsResult() throws Exception {
        send(central.sign(message("same-id", "count", "x")), "same-id-1");
        assertEquals("1 x", nextAck().output());
        send(central.sign(message("same-id", "shellCommand", "echo", "y")), "same-id-2");
        EdgeAck other = nextAck();
        assertEquals(Optional.of(EdgeError.INVALID_MESSAGE), other.error());
        assertEquals("", other.output(), "the other message's output is not handed out");
    }

    @Test
    void anExpiryBeyondAnyCalendarIsDroppedAndDoesNotHoldUpTheNext() throws Exception {
        String json = new String(EdgeWire.write(central.sign(message("far", "count", "x"))), StandardCharsets.UTF_8)
                .replaceFirst("\"expiresAt\":\"[^\"]+\"", "\"expiresAt\":\"+1000000000-12-31T23:59:59.999999999Z\"");
        delivery.publish(stream, new Outgoing(ship + ".command.count", Map.of(), json.getBytes(StandardCharsets.UTF_8),
                Optional.empty()));
        send(central.sign(message("after-far", "count", "after")), "after-far");
        EdgeAck ack = nextAck();
        assertEquals("after-far", ack.messageId());
        assertEquals("1 after", ack.output());
    }

    @Test
    void anOutputTooLargeForAMessageIsCutAndTheAnswerStillGoesOut() throws Exception {
        EdgeMethod big = new EdgeMethod() {
            @Override
            public String name() {
                return "big";
            }

            @Override
            public MethodResult run(EdgeMessage message, Duration timeout) {
                return MethodResult.ok("\u0001".repeat(600_000), 0, false); // 3.6 MB as JSON escapes
            }
        };
        node.close();
        node = new EdgeNode(ship, stream, delivery, new CommandSignatures(ship, Ed25519Key.loadOrCreate(
                Files.createTempDirectory("k").resolve("s.pem"), Files.createTempDirectory("k").resolve("s.pub.pem")),
                List.of(centralPublic), Clock.systemUTC()), Map.of("big", big, "count", count), log,
                (sender, ack) -> {
                    // as the real sink does: an answer larger than a durable message is refused here
                    new Outgoing("x.ack.y", Map.of(), io.netwarden.edge.messages.EdgeAckWire.write(ack), Optional.empty());
                    return java.util.concurrent.CompletableFuture.completedFuture(acks.add(ack));
                }, (n, id, method, error, text) -> errors.add(id + " " + error.code()));
        node.start();
        send(central.sign(message("big-1", "big")), "big-1");
        EdgeAck ack = nextAck();
        assertTrue(ack.ok());
        assertTrue(ack.truncated());
        assertTrue(ack.output().length() > 10_000, "as much as fits is kept");
        send(central.sign(message("after-big", "count", "next")), "after-big");
        assertEquals("1 next", nextAck().output());
    }

    @Test
    void anIdAnotherSenderUsedDoesNotBlockThisSendersMessage() throws Exception {
        EdgeMessage intruding = new EdgeMessage("dup", "intruder", ship, EdgeMessage.Kind.event, "count", List.of("i"),
                Duration.ofSeconds(10), Instant.now().plusSeconds(60), Optional.empty(), Optional.empty());
        EdgeMethod both = count; // count takes commands only; the intruder's event is refused, the id stays free anyway
        assertTrue(both.kinds().contains(EdgeMessage.Kind.command));
        send(central.sign(intruding), "dup-intruder");
        nextAck();
        send(central.sign(message("dup", "count", "real")), "dup-real");
        EdgeAck real = nextAck();
        assertEquals("dup", real.messageId());
        assertEquals("1 real", real.output(), "ran: the same id from another sender is another message");
    }

    @Test
    void anAnswerThatCannotBeSentLeavesTheMessageToComeAgainAndItIsNotRunTwice() throws Exception {
        node.close();
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        node = new EdgeNode(ship, stream, delivery, atShip, Map.of("count", count), log, (sender, ack) -> {
            if (tries.incrementAndGet() == 1) { // the broker is away for the first answer
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new io.netwarden.platform.messaging.durable.DeliveryUnavailableException("away"));
            }
            return java.util.concurrent.CompletableFuture.completedFuture(acks.add(ack));
        }, (n, id, method, error, text) -> errors.add(id + " " + error.code()));
        node.start();
        send(central.sign(message("lost-answer", "count", "once")), "lost-answer");
        EdgeAck ack = nextAck();
        assertEquals("lost-answer", ack.messageId());
        assertEquals("1 once", ack.output(), "the stored result of the one run");
        assertEquals(2, tries.get(), "sent again when the message came again");
        assertEquals(1, counted.get());
    }

    @Test
    void aMessageThatFailsEveryTimeIsAnsweredFailedAndDoesNotHoldUpTheRest() throws Exception {
        node.close();
        AtomicInteger poisonTries = new AtomicInteger();
        EdgeMethod poisoned = new EdgeMethod() { // breaks in a way no method should (and the node does not catch)
            @Override
            public String name() {
                return "poisoned";
            }

            @Override
            public boolean quick() {
                return true;
            }

            @Override
            public boolean recorded() {
                return false;
            }

            @Override
            public MethodResult run(EdgeMessage message, Duration timeout) {
                poisonTries.incrementAndGet();
                throw new StackOverflowError();
            }
        };
        node = new EdgeNode(ship, stream, delivery, atShip, Map.of("quickCount", quickCount, "poisoned", poisoned), log,
                (sender, ack) -> java.util.concurrent.CompletableFuture.completedFuture(acks.add(ack)),
                (n, id, method, error, text) -> errors.add(id + " " + error.code()),
                new EdgeNode.Retries(3, Duration.ofMillis(100), Duration.ofMillis(200)));
        send(central.sign(message("before", "quickCount", "a")), "before");
        send(central.sign(message("poison", "poisoned")), "poison");
        send(central.sign(message("after", "quickCount", "b")), "after");
        node.start();

        EdgeAck before = nextAck();
        assertEquals("before", before.messageId());
        assertEquals("1 a", before.output(), "run once; its result kept although the one after it broke the batch");
        EdgeAck poison = nextAck();
        assertEquals("poison", poison.messageId(), "answered before the one after it: the order is kept");
        assertFalse(poison.ok());
        assertEquals(Optional.of(EdgeError.FAILED), poison.error());
        assertTrue(poison.errorText().contains("3 tries") && poison.errorText().contains("StackOverflowError"),
                poison.errorText());
        EdgeAck after = nextAck();
        assertEquals("after", after.messageId());
        assertEquals("2 b", after.output());
        assertEquals(2, counted.get(), "each good message ran once");
        assertEquals(4, poisonTries.get(), "in the first batch, then alone until the third failure alone");
        assertEquals("poison failed", errors.poll(5, TimeUnit.SECONDS));
        assertNull(acks.poll(300, TimeUnit.MILLISECONDS), "nothing more: the given-up message is not tried again");
    }
}
