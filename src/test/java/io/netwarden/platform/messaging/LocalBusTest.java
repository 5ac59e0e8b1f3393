package io.netwarden.platform.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalBusTest {

    private final LocalBus bus = new LocalBus();

    @AfterEach
    void close() {
        bus.stop(Duration.ofSeconds(1));
    }

    @Test
    void everyPlainSubscriberGetsEachMessageInOrder() throws Exception {
        // Given
        List<String> a = new CopyOnWriteArrayList<>();
        List<String> b = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(200);
        bus.subscribe("ship1.>", Optional.empty(), m -> { a.add(text(m)); done.countDown(); });
        bus.subscribe("ship1.command.*", Optional.empty(), m -> { b.add(text(m)); done.countDown(); });

        // When
        for (int i = 0; i < 100; i++) {
            bus.publish("ship1.command.shellCommand", bytes("m" + i));
        }

        // Then
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(100, a.size());
        assertEquals(a, b);
        assertEquals("m0", a.getFirst());
        assertEquals("m99", a.getLast());
    }

    @Test
    void aQueueGroupSharesMessagesBetweenMembers() throws Exception {
        // Given
        List<String> one = new CopyOnWriteArrayList<>();
        List<String> two = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(10);
        bus.subscribe("dnc.jobs.default", Optional.of("agents"), m -> { one.add(text(m)); done.countDown(); });
        bus.subscribe("dnc.jobs.default", Optional.of("agents"), m -> { two.add(text(m)); done.countDown(); });

        // When
        for (int i = 0; i < 10; i++) {
            bus.publish("dnc.jobs.default", bytes("job" + i));
        }

        // Then: each job to exactly one member, both members busy
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(10, one.size() + two.size());
        assertEquals(5, one.size());
    }

    @Test
    void requestGetsTheReply() throws Exception {
        // Given
        bus.subscribe("echo", Optional.empty(), m -> bus.reply(m, bytes("re:" + text(m))));

        // When
        BusMessage reply = bus.request(BusMessage.of("echo", bytes("hi")), Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);

        // Then
        assertEquals("re:hi", text(reply));
    }

    @Test
    void requestWithoutSubscriberFailsAtOnce() {
        var e = assertThrows(ExecutionException.class,
                () -> bus.request(BusMessage.of("nobody.home", bytes("x")), Duration.ofSeconds(5)).get(1, TimeUnit.SECONDS));
        assertInstanceOf(NoRespondersException.class, e.getCause());
    }

    @Test
    void requestTimesOutWhenNobodyAnswers() {
        bus.subscribe("silent", Optional.empty(), m -> { });
        var e = assertThrows(ExecutionException.class,
                () -> bus.request(BusMessage.of("silent", bytes("x")), Duration.ofMillis(100)).get(2, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
    }

    @Test
    void aFailingHandlerDoesNotStopItsSubscription() throws Exception {
        // Given
        CountDownLatch second = new CountDownLatch(1);
        bus.subscribe("flaky", Optional.empty(), m -> {
            if (text(m).equals("boom")) {
                throw new IllegalStateException("handler failure under test");
            }
            second.countDown();
        });

        // When
        bus.publish("flaky", bytes("boom"));
        bus.publish("flaky", bytes("fine"));

        // Then
        assertTrue(second.await(2, TimeUnit.SECONDS));
    }

    @Test
    void closedSubscriptionGetsNothing() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        Messaging.Subscription s = bus.subscribe("x", Optional.empty(), m -> got.add(text(m)));
        s.close();
        bus.publish("x", bytes("late"));
        Thread.sleep(100);
        assertTrue(got.isEmpty());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(BusMessage m) {
        return new String(m.data(), StandardCharsets.UTF_8);
    }
}
