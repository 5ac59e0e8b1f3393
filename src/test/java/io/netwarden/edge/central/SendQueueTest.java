package io.netwarden.edge.central;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.testing.Deadline;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The send queue on the real database: many requests stored together, each answered for itself, published after. */
@QuarkusTest
class SendQueueTest {

    @Inject
    ActiveDatabase database;

    private MessageLog log;
    private SendQueue queue;
    private final Set<String> published = ConcurrentHashMap.newKeySet();
    /** Per node, the ids in the order they reached the stream. */
    private final java.util.Map<String, List<String>> streamOrder = new ConcurrentHashMap<>();
    private final AtomicBoolean away = new AtomicBoolean();
    /** Ids the stream does not take. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void queue() {
        log = new MessageLog(database.dataSource());
        queue = new SendQueue(log, message -> {
            if (away.get() || refused.contains(message.id())) {
                return CompletableFuture.completedFuture(false);
            }
            // the broker link keeps the order messages are started in; confirmations come back after varying times
            streamOrder.computeIfAbsent(message.toNode(), n -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(message.id());
            return CompletableFuture.supplyAsync(() -> {
                published.add(message.id());
                return true;
            }, CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(3), TimeUnit.MILLISECONDS));
        }, stored -> {
        }, Duration.ofSeconds(5));
        queue.start();
    }

    @AfterEach
    void stop() {
        queue.close();
    }

    private static MessageLog.NewMessage message(String id) {
        return message(id, "ship1");
    }

    private static MessageLog.NewMessage message(String id, String node) {
        return new MessageLog.NewMessage(new EdgeMessage(id, "central", node, EdgeMessage.Kind.command, "ping", List.of(),
                Duration.ofSeconds(30), Instant.now().plus(Duration.ofHours(1)), Optional.empty(), Optional.empty()), 0);
    }

    @Test
    void concurrentRequestsAreEachStoredWhenTheyReturnAndPublishedAfter() throws Exception {
        List<String> ids = new ArrayList<>();
        List<Future<?>> calls = new ArrayList<>();
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String id = "q-" + UUID.randomUUID();
                ids.add(id);
                calls.add(requests.submit(() -> {
                    queue.store(List.of(message(id)));
                    assertTrue(log.find(id).isPresent(), "stored when store returns");
                    return null;
                }));
            }
        }
        for (Future<?> call : calls) {
            call.get();
        }
        Deadline.await("all 200 published", Duration.ofSeconds(10), () -> Set.copyOf(published), p -> p.containsAll(ids));
        Deadline.await("all 200 marked published", Duration.ofSeconds(10), () -> log.unpublished(10000, Instant.now().plusSeconds(1)),
                open -> ids.stream().noneMatch(open::contains));
        assertEquals(1, log.find(ids.getFirst()).orElseThrow().attempts());
    }

    @Test
    void eachNodeGetsItsMessagesInTheOrderOfTheRequestsAndWithinEach() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (List<String> request : List.of(first, second)) {
            List<MessageLog.NewMessage> body = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String node = (i % 2 == 0 ? "even-" : "odd-") + run;
                String id = (request == first ? "a" : "b") + i + "-" + run;
                request.add(id);
                body.add(message(id, node));
            }
            queue.store(body); // the second request is sent once the first is answered
        }
        Deadline.await("all 80 published", Duration.ofSeconds(10), () -> Set.copyOf(published),
                p -> p.containsAll(first) && p.containsAll(second));
        for (String node : List.of("even-" + run, "odd-" + run)) {
            List<String> expected = new ArrayList<>();
            for (List<String> request : List.of(first, second)) {
                for (int i = 0; i < request.size(); i++) {
                    if ((i % 2 == 0) == node.startsWith("even")) {
                        expected.add(request.get(i));
                    }
                }
            }
            assertEquals(expected, List.copyOf(streamOrder.get(node)), node);
        }
    }

    @Test
    void aBroadcastToManyNodesIsPublishedAtOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<MessageLog.NewMessage> copies = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            copies.add(message("c" + i + "-" + run, "n" + i + "-" + run));
        }
        queue.store(copies);
        Deadline.await("all 1001 copies published by the queue (not the sweeper)", Duration.ofSeconds(5),
                () -> Set.copyOf(published), p -> copies.stream().allMatch(c -> p.contains(c.message().id())));
    }

    @Test
    void aRequestThatCannotBeStoredFailsAloneTheOthersAreStored() throws Exception {
        String tooLong = "x".repeat(200); // longer than the id column
        List<Future<?>> good = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        Future<?> bad;
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                String id = "g-" + UUID.randomUUID();
                ids.add(id);
                good.add(requests.submit(() -> {
                    queue.store(List.of(message(id)));
                    return null;
                }));
            }
            bad = requests.submit(() -> {
                queue.store(List.of(message(tooLong)));
                return null;
            });
        }
        for (Future<?> call : good) {
            call.get();
        }
        java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class, bad::get);
        assertTrue(failed.getCause() instanceof IllegalStateException, failed.getCause().toString());
        assertTrue(ids.stream().allMatch(id -> log.find(id).isPresent()));
    }

    @Test
    void aStoppedQueueStoresNothingAndSaysSo() {
        queue.close();
        String id = "s-" + UUID.randomUUID();
        assertThrows(SendQueue.Stopping.class, () -> queue.store(List.of(message(id))));
        assertTrue(log.find(id).isEmpty());
    }

    @Test
    void whatCannotBePublishedNowStaysForTheSweeper() throws Exception {
        away.set(true);
        String id = "a-" + UUID.randomUUID();
        queue.store(List.of(message(id)));
        assertTrue(log.find(id).isPresent());
        Deadline.await("still unpublished", Duration.ofSeconds(2), () -> log.unpublished(10000, Instant.now().plusSeconds(1)), open -> open.contains(id));
    }

    @Test
    void aMessageTheStreamDoesNotTakeLeavesItAndTheNodesLaterOnesToTheSweeperOthersGoOn() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<MessageLog.NewMessage> body = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            body.add(message("h" + i + "-" + run, "held-" + run));
            body.add(message("o" + i + "-" + run, "other-" + run));
        }
        refused.add("h4-" + run);
        queue.store(body);
        Deadline.await("the other node's 10 marked published", Duration.ofSeconds(10),
                () -> log.unpublished(10000, Instant.now().plusSeconds(1)),
                open -> java.util.stream.IntStream.range(0, 10).noneMatch(i -> open.contains("o" + i + "-" + run)));
        Deadline.await("h0-h3 marked published", Duration.ofSeconds(10), () -> log.unpublished(10000, Instant.now().plusSeconds(1)),
                open -> java.util.stream.IntStream.range(0, 4).noneMatch(i -> open.contains("h" + i + "-" + run)));
        List<String> open = log.unpublished(10000, Instant.now().plusSeconds(1));
        for (int i = 4; i < 10; i++) {
            assertTrue(open.contains("h" + i + "-" + run), "h" + i + " waits for the sweeper, behind h4");
        }
    }
}
