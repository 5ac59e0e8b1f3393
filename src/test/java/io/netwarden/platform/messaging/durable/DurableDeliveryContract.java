package io.netwarden.platform.messaging.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DurableDelivery} promises, run against each implementation on its real backend. Each test has a
 * stream of its own (names are unique per run), so runs against a shared broker or database do not see each other; its
 * subjects are {@code <stream>.x.…}, which no stream of the application overlaps (JetStream refuses overlapping
 * streams; the edge stream takes {@code *.command.*} and {@code *.event.*}).
 */
abstract class DurableDeliveryContract {

    protected abstract DurableDelivery delivery();

    /** Removes the stream from the backend, where it outlives the test (JetStream). */
    protected void dropStream(String stream) {
    }

    private final List<DurableDelivery.Consumption> open = new ArrayList<>();
    protected String stream;

    @BeforeEach
    void stream() {
        stream = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        delivery().declare(new StreamSpec(stream, List.of(stream + ".x.>"), Duration.ofMinutes(5)));
    }

    @AfterEach
    void close() {
        open.forEach(DurableDelivery.Consumption::close);
        open.clear();
        dropStream(stream);
    }

    private DurableDelivery.Consumption consume(ConsumerSpec spec, DurableDelivery.DeliveryHandler handler) {
        DurableDelivery.Consumption consumption = delivery().consume(spec, handler);
        open.add(consumption);
        return consumption;
    }

    private ConsumerSpec consumer(String name, String filter, Duration ackWait, int maxDeliveries) {
        return new ConsumerSpec(stream, name, filter, ackWait, maxDeliveries, 1);
    }

    private long send(String subject, String body, String id) {
        return delivery().publish(stream, new Outgoing(stream + ".x." + subject, Map.of("x-test", "yes"),
                body.getBytes(StandardCharsets.UTF_8), Optional.ofNullable(id)));
    }

    private static String text(Delivery d) {
        return new String(d.data(), StandardCharsets.UTF_8);
    }

    @Test
    void messagesArriveInOrderWithTheirSubjectHeadersAndBody() throws Exception {
        for (int i = 0; i < 20; i++) {
            send("ship1.command.ping", "m" + i, null);
        }
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        consume(consumer("c1", stream + ".x.ship1.>", Duration.ofSeconds(30), 0), d -> {
            got.add(d);
            d.ack();
        });
        for (int i = 0; i < 20; i++) {
            Delivery d = got.poll(10, TimeUnit.SECONDS);
            assertEquals("m" + i, d == null ? null : text(d));
            assertEquals(stream + ".x.ship1.command.ping", d.subject());
            assertEquals("yes", d.headers().get("x-test"));
            assertEquals(1, d.attempt());
        }
        assertNull(got.poll(500, TimeUnit.MILLISECONDS), "delivered once each");
    }

    @Test
    void aConsumerGetsOnlyWhatItsFilterMatches() throws Exception {
        send("ship2.command.ping", "not for ship1", null);
        send("ship1.event.textLogging", "for ship1", null);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        consume(consumer("ship1", stream + ".x.ship1.>", Duration.ofSeconds(30), 0), d -> {
            got.add(text(d));
            d.ack();
        });
        assertEquals("for ship1", got.poll(10, TimeUnit.SECONDS));
        assertNull(got.poll(500, TimeUnit.MILLISECONDS));
    }

    @Test
    void anUnansweredDeliveryComesAgainAfterTheAckWait() throws Exception {
        send("ship1.command.ping", "once more", null);
        BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
        consume(consumer("c1", stream + ".x.>", Duration.ofMillis(700), 0), d -> {
            attempts.add(d.attempt());
            if (d.attempt() == 2) {
                d.ack();
            } // the first delivery is never answered
        });
        assertEquals(1, attempts.poll(10, TimeUnit.SECONDS));
        assertEquals(2, attempts.poll(10, TimeUnit.SECONDS));
        assertNull(attempts.poll(1500, TimeUnit.MILLISECONDS), "acked: not again");
    }

    @Test
    void aNakComesBackAfterItsDelayAndMaxDeliveriesEndsIt() throws Exception {
        send("ship1.command.ping", "refused", null);
        BlockingQueue<Long> at = new LinkedBlockingQueue<>();
        consume(consumer("c1", stream + ".x.>", Duration.ofSeconds(30), 3), d -> {
            at.add(System.nanoTime());
            d.nak(Duration.ofMillis(300));
        });
        long first = at.poll(10, TimeUnit.SECONDS);
        long second = at.poll(10, TimeUnit.SECONDS);
        assertTrue(second - first >= TimeUnit.MILLISECONDS.toNanos(250), "redelivered after the nak delay");
        at.poll(10, TimeUnit.SECONDS);
        assertNull(at.poll(1500, TimeUnit.MILLISECONDS), "three deliveries at most");
    }

    @Test
    void theSameIdIsStoredOnce() throws Exception {
        long a = send("ship1.command.ping", "one", "id-1");
        long b = send("ship1.command.ping", "one again", "id-1");
        assertEquals(a, b);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        consume(consumer("c1", stream + ".x.>", Duration.ofSeconds(30), 0), d -> {
            got.add(text(d));
            d.ack();
        });
        assertEquals("one", got.poll(10, TimeUnit.SECONDS));
        assertNull(got.poll(500, TimeUnit.MILLISECONDS));
    }

    @Test
    void messagesPublishedWithoutWaitingAreStoredInTheOrderStartedAndOnceEachById() throws Exception {
        List<java.util.concurrent.CompletableFuture<Long>> stored = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            stored.add(delivery().publishAsync(stream, new Outgoing(stream + ".x.ship1.command.ping", Map.of(),
                    ("a" + i).getBytes(StandardCharsets.UTF_8), Optional.of("async-" + i))));
        }
        stored.add(delivery().publishAsync(stream, new Outgoing(stream + ".x.ship1.command.ping", Map.of(),
                "a0 again".getBytes(StandardCharsets.UTF_8), Optional.of("async-0"))));
        long previous = 0;
        for (int i = 0; i < 300; i++) {
            long sequence = stored.get(i).get(10, TimeUnit.SECONDS);
            assertTrue(sequence > previous, "sequences rise in the order started");
            previous = sequence;
        }
        assertEquals(stored.getFirst().get(), stored.getLast().get(10, TimeUnit.SECONDS), "the same id: stored once");
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        consume(consumer("c1", stream + ".x.>", Duration.ofSeconds(30), 0), d -> {
            got.add(text(d));
            d.ackNoWait();
        });
        for (int i = 0; i < 300; i++) {
            assertEquals("a" + i, got.poll(10, TimeUnit.SECONDS));
        }
        assertNull(got.poll(500, TimeUnit.MILLISECONDS), "each once; acked without waiting, and not given again");
    }

    @Test
    void aDurableConsumerGoesOnWhereItStopped() throws Exception {
        for (int i = 0; i < 5; i++) {
            send("ship1.command.ping", "m" + i, null);
        }
        BlockingQueue<String> first = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
        DurableDelivery.Consumption consumption = consume(consumer("ship1", stream + ".x.>", Duration.ofSeconds(1), 0), d -> {
            if (handled.incrementAndGet() <= 3) {
                first.add(text(d));
                d.ack();
            } // the rest stays unanswered
        });
        for (int i = 0; i < 3; i++) {
            assertEquals("m" + i, first.poll(10, TimeUnit.SECONDS));
        }
        Thread.sleep(300); // let the fourth be handed out (and left unanswered) before stopping
        consumption.close();
        send("ship1.command.ping", "m5", null);

        BlockingQueue<String> second = new LinkedBlockingQueue<>();
        consume(consumer("ship1", stream + ".x.>", Duration.ofSeconds(1), 0), d -> {
            second.add(text(d));
            d.ack();
        });
        for (String expected : List.of("m3", "m4", "m5")) {
            assertEquals(expected, second.poll(15, TimeUnit.SECONDS));
        }
        assertNull(second.poll(1500, TimeUnit.MILLISECONDS), "nothing acked comes back");
    }

    @Test
    void aHandlerThatThrowsGetsTheMessageAgain() throws Exception {
        send("ship1.command.ping", "boom", null);
        BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
        consume(consumer("c1", stream + ".x.>", Duration.ofSeconds(30), 0), d -> {
            attempts.add(d.attempt());
            if (d.attempt() == 1) {
                throw new IllegalStateException("handler bug");
            }
            d.ack();
        });
        assertEquals(1, attempts.poll(10, TimeUnit.SECONDS));
        assertEquals(2, attempts.poll(10, TimeUnit.SECONDS));
    }

    private DurableDelivery.Consumption consumeBatches(ConsumerSpec spec, DurableDelivery.BatchHandler handler) {
        DurableDelivery.Consumption consumption = delivery().consumeBatches(spec, handler);
        open.add(consumption);
        return consumption;
    }

    @Test
    void batchesComeInStreamOrderOneAtATimeAndNoLargerThanInFlight() throws Exception {
        for (int i = 0; i < 60; i++) {
            send("ship1.command.ping", "m" + i, null);
        }
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlapped = new java.util.concurrent.atomic.AtomicInteger();
        consumeBatches(new ConsumerSpec(stream, "b1", stream + ".x.>", Duration.ofSeconds(30), 0, 16), batch -> {
            if (running.incrementAndGet() > 1) {
                overlapped.incrementAndGet();
            }
            sizes.add(batch.size());
            Thread.sleep(20); // so that more than one arrives meanwhile
            for (Delivery d : batch) {
                got.add(text(d));
                d.ack();
            }
            running.decrementAndGet();
        });
        for (int i = 0; i < 60; i++) {
            assertEquals("m" + i, got.poll(10, TimeUnit.SECONDS));
        }
        assertNull(got.poll(1000, TimeUnit.MILLISECONDS), "acked: never again");
        assertEquals(0, overlapped.get(), "one batch at a time");
        assertTrue(sizes.stream().allMatch(n -> n <= 16), "no batch above max in flight: " + sizes);
        assertTrue(sizes.stream().anyMatch(n -> n > 1), "deliveries that arrived together come together: " + sizes);
    }

    @Test
    void whatABatchLeavesUnansweredOrThrowsOnComesAgain() throws Exception {
        send("ship1.command.ping", "answered", null);
        send("ship1.command.ping", "forgotten", null);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        consumeBatches(new ConsumerSpec(stream, "b1", stream + ".x.>", Duration.ofSeconds(30), 0, 8), batch -> {
            int call = calls.incrementAndGet();
            for (Delivery d : batch) {
                got.add(call + ":" + text(d) + ":" + d.attempt());
                if (call == 1 && text(d).equals("answered")) {
                    d.ack();
                } else if (call == 2) {
                    throw new IllegalStateException("handler bug");
                } else if (call >= 3) {
                    d.ack();
                }
            }
        });
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String next = got.poll(10, TimeUnit.SECONDS);
            seen.add(next);
        }
        // the first batch may hold one or both; what it left unanswered and what the throwing batch held come again
        assertTrue(seen.contains("1:answered:1"), seen.toString());
        assertTrue(seen.stream().anyMatch(s -> s.matches("2:forgotten:\\d")), seen.toString());
        assertTrue(seen.stream().anyMatch(s -> s.matches("3:forgotten:\\d")), seen.toString());
        assertNull(got.poll(1500, TimeUnit.MILLISECONDS), "acked: never again; 'answered' came once");
    }

    @Test
    void deliveriesWaitingBehindASlowBatchAreNotHandedOutAgain() throws Exception {
        send("ship1.command.ping", "slow", null);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        consumeBatches(new ConsumerSpec(stream, "b1", stream + ".x.>", Duration.ofMillis(600), 0, 8), batch -> {
            for (Delivery d : batch) {
                got.add(text(d) + ":" + d.attempt());
                if (text(d).equals("slow")) {
                    send("ship1.command.ping", "waiting", null); // arrives while this batch runs
                    Thread.sleep(2000); // three ack waits
                }
                d.ack();
            }
        });
        assertEquals("slow:1", got.poll(10, TimeUnit.SECONDS));
        assertEquals("waiting:1", got.poll(10, TimeUnit.SECONDS));
        assertNull(got.poll(1500, TimeUnit.MILLISECONDS), "kept alive while they waited: handed out once each");
    }

    @Test
    void badSpecificationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("a.b", List.of("x.>"), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new StreamSpec("s", List.of("x..y"), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new ConsumerSpec(stream, "c 1", ">", Duration.ofSeconds(1), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConsumerSpec(stream, "c1", ">", Duration.ofMillis(1), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Outgoing("a.*", Map.of(), new byte[0], Optional.empty()));
        // a filter wider than the stream's subjects: JetStream refuses it, so every implementation does, at once
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                () -> consume(consumer("wide", stream + ".>", Duration.ofSeconds(5), 0), Delivery::ack));
        assertTrue(wide.getMessage().contains("not within"), wide.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> consume(consumer("other", "elsewhere.x.>", Duration.ofSeconds(5), 0), Delivery::ack));
    }
}
