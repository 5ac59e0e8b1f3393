package io.netwarden.edge.central;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netwarden.edge.events.EdgeEvents;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.AllowedDirectories;
import io.netwarden.edge.methods.FileChunks;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.messaging.durable.ConsumerSpec;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import io.netwarden.platform.messaging.durable.StreamSpec;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sender's sweeper on the real message log: a published message that neither a receipt nor an answer follows is
 * published again to an online node (a copy lost on the way), never to an offline one, and not counted as a retry.
 */
@QuarkusTest
class EdgeSenderTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BACKOFF = Duration.ofSeconds(5);

    @Inject
    ActiveDatabase database;

    /** What reached the stream: "<subject> <dedupe id>", in order; each one signed and readable. */
    private final List<String> stream = new CopyOnWriteArrayList<>();
    private final Set<String> online = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private MessageLog log;
    private EdgeSender sender;
    private String unique;

    @BeforeEach
    void sender() throws Exception {
        unique = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Path keys = Files.createTempDirectory("edge-sender-keys");
        Ed25519Key own = Ed25519Key.loadOrCreate(keys.resolve("central.pem"), keys.resolve("central.pub.pem"));
        CommandSignatures signatures = new CommandSignatures("central", own, List.of(), Clock.systemUTC());
        DurableDelivery recording = new DurableDelivery() {
            @Override
            public void declare(StreamSpec spec) {
            }

            @Override
            public long publish(String name, Outgoing message) {
                EdgeMessage read = EdgeWire.read(message.data());
                if (read.signature().isEmpty()) {
                    throw new AssertionError("published unsigned");
                }
                stream.add(message.subject() + " " + message.id().orElseThrow());
                return stream.size();
            }

            @Override
            public Consumption consume(ConsumerSpec consumer, DeliveryHandler handler) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Consumption consumeBatches(ConsumerSpec consumer, BatchHandler handler) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String kind() {
                return "recording";
            }
        };
        log = new MessageLog(database.dataSource());
        sender = new EdgeSender("central", recording, signatures, log, Duration.ofSeconds(1), BACKOFF,
                (node, id, method, error, text) -> {
                }, new EdgeMetrics(new SimpleMeterRegistry()), EdgeEvents.NONE,
                new FileChunks(new AllowedDirectories(List.of()), 1024 * 1024), new EdgeSender.Peers() {
                    @Override
                    public Optional<PublicKey> key(String node) {
                        return Optional.empty();
                    }

                    @Override
                    public boolean online(String node) {
                        return online.contains(node);
                    }
                });
    }

    private EdgeMessage ping(String node) {
        return new EdgeMessage(UUID.randomUUID().toString(), "central", node, EdgeMessage.Kind.command, "ping", List.of(),
                TIMEOUT, Instant.now().plus(Duration.ofHours(1)), Optional.empty(), Optional.empty());
    }

    /**
     * Sweeps at {@code at} until the message was published {@code times} times, or 20 rounds: other tests' messages in
     * the shared database may be due too, and a round looks at 1,000 at most.
     */
    private void sweepUntil(Instant at, EdgeMessage message, int times) {
        for (int round = 0; round < 20 && publishedOf(message).size() < times; round++) {
            sender.sweepOnce(at);
        }
    }

    private List<String> publishedOf(EdgeMessage message) {
        return stream.stream().filter(s -> s.contains(" " + message.id())).toList();
    }

    @Test
    void aMessageNeitherReceivedNorAnsweredIsPublishedAgainToAnOnlineNodeWithBackoff() {
        String node = "ship" + unique;
        online.add(node);
        EdgeMessage lost = ping(node);
        Instant sent = Instant.now();
        sender.send(lost, 0);
        assertEquals(List.of(lost.subject() + " " + lost.id()), publishedOf(lost));

        sweepUntil(sent.plus(TIMEOUT), lost, 2); // within timeout + backoff: it may still be on its way
        assertEquals(1, publishedOf(lost).size());

        Instant first = sent.plus(TIMEOUT).plus(BACKOFF).plusSeconds(1);
        sweepUntil(first, lost, 2);
        assertEquals(List.of(lost.subject() + " " + lost.id(), lost.subject() + " " + lost.id() + "~1"), publishedOf(lost));
        MessageLog.Entry entry = log.find(lost.id()).orElseThrow();
        assertEquals("pending", entry.status());
        assertEquals(1, entry.attempts(), "a copy for a lost one is no retry: retries 0 still leaves it to its answer");

        sweepUntil(first.plus(TIMEOUT).plus(BACKOFF), lost, 3); // the next one waits twice the backoff
        assertEquals(2, publishedOf(lost).size());
        sweepUntil(first.plus(TIMEOUT).plus(BACKOFF.multipliedBy(2)).plusSeconds(1), lost, 3);
        assertEquals(lost.subject() + " " + lost.id() + "~2", publishedOf(lost).getLast());
    }

    @Test
    void aMessageForAnOfflineNodeWaitsInTheStreamAndIsNotPublishedAgain() {
        String node = "away" + unique;
        EdgeMessage waiting = ping(node);
        Instant sent = Instant.now();
        sender.send(waiting, 0);
        Instant due = sent.plus(TIMEOUT).plus(BACKOFF).plusSeconds(1);
        sweepUntil(due, waiting, 2);
        assertEquals(1, publishedOf(waiting).size());

        online.add(node); // online again, but its hello not taken yet: looked at again after 5 min
        sweepUntil(due.plusSeconds(60), waiting, 2);
        assertEquals(1, publishedOf(waiting).size());
        sweepUntil(due.plus(Duration.ofMinutes(5)).plusSeconds(1), waiting, 2);
        assertEquals(2, publishedOf(waiting).size());
    }

    @Test
    void aNodeThatComesBackGetsWhatWasLostSoonNotAfterTheLongestBackoff() {
        String node = "back" + unique;
        EdgeMessage lost = ping(node);
        sender.send(lost, 0);
        sweepUntil(Instant.now().plus(TIMEOUT).plus(BACKOFF).plusSeconds(1), lost, 2); // offline: postponed by 5 min
        assertEquals(1, publishedOf(lost).size());

        online.add(node);
        sender.nodeBack(node); // its hello: what waited reaches it from the stream; a lost one after twice the backoff
        sweepUntil(Instant.now().plus(BACKOFF), lost, 2);
        assertEquals(1, publishedOf(lost).size());
        sweepUntil(Instant.now().plus(BACKOFF.multipliedBy(2)).plusSeconds(1), lost, 2);
        assertEquals(List.of(lost.subject() + " " + lost.id(), lost.subject() + " " + lost.id() + "~1"), publishedOf(lost));
    }

    @Test
    void aMessageWithAReceiptOrAnAnswerIsNotPublishedAgainAsLost() {
        String node = "ship" + unique;
        online.add(node);
        EdgeMessage running = ping(node);
        EdgeMessage answered = ping(node);
        Instant sent = Instant.now();
        sender.send(running, 0);
        sender.send(answered, 0);
        log.delivered(running.id(), node, sent, BACKOFF);
        log.acked(new io.netwarden.edge.messages.EdgeAck(answered.id(), node, true, "pong", 0, false, Optional.empty(), "",
                false, Optional.empty(), Optional.empty()));

        sweepUntil(sent.plus(TIMEOUT).plus(BACKOFF).minusMillis(1), running, 2);
        assertEquals(List.of(1, 1), List.of(publishedOf(running).size(), publishedOf(answered).size()));
    }
}
