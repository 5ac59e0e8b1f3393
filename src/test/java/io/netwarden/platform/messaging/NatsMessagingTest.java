package io.netwarden.platform.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.netwarden.testing.NatsServerProcess;
import io.netwarden.testing.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The NATS implementation against a real nats-server, including outages. */
class NatsMessagingTest {

    private final BlockingQueue<String> restored = new LinkedBlockingQueue<>();

    private NatsMessaging messaging(String url) {
        return new NatsMessaging(url, "netwarden-test", Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(500),
                NatsSecurity.NONE, restored::add);
    }

    interface BusTest {
        void run(NatsMessaging bus) throws Exception;
    }

    /** Runs {@code test} with a bus connected to a fresh private server, and tears both down. */
    private void withConnectedBus(BusTest test) throws Exception {
        try (NatsServerProcess server = new NatsServerProcess(TestEnv.freePort()).start()) {
            NatsMessaging bus = messaging(server.url());
            bus.start();
            try {
                test.run(bus);
            } finally {
                bus.stop(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void publishSubscribeQueueGroupsAndRequestReply() throws Exception {
        withConnectedBus(bus -> {
            // Given
            BlockingQueue<String> all = new LinkedBlockingQueue<>();
            List<String> one = new CopyOnWriteArrayList<>();
            List<String> two = new CopyOnWriteArrayList<>();
            bus.subscribe("ship1.>", Optional.empty(), m -> all.add(m.subject() + "=" + text(m)));
            bus.subscribe("dnc.jobs.p", Optional.of("agents"), m -> one.add(text(m)));
            bus.subscribe("dnc.jobs.p", Optional.of("agents"), m -> two.add(text(m)));
            bus.subscribe("echo", Optional.empty(), m -> bus.reply(m, bytes("re:" + text(m) + ":" + m.headers().get("k"))));

            // When
            bus.publish("ship1.command.shellCommand", bytes("ls"));
            for (int i = 0; i < 20; i++) {
                bus.publish("dnc.jobs.p", bytes("job" + i));
            }
            BusMessage reply = bus.request(new BusMessage("echo", Optional.empty(), java.util.Map.of("k", "v"), bytes("hi")),
                    Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);

            // Then
            assertEquals("ship1.command.shellCommand=ls", all.poll(2, TimeUnit.SECONDS));
            assertEquals("re:hi:v", text(reply));
            waitFor(() -> one.size() + two.size() == 20);
            Thread.sleep(200);
            assertEquals(20, one.size() + two.size(), "each job delivered to exactly one group member");
        });
    }

    @Test
    void requestWithoutRespondersFailsClearly() throws Exception {
        withConnectedBus(bus -> {
            var e = assertThrows(ExecutionException.class,
                    () -> bus.request(BusMessage.of("nobody.home", bytes("x")), Duration.ofSeconds(5)).get(3, TimeUnit.SECONDS));
            assertInstanceOf(NoRespondersException.class, e.getCause());
        });
    }

    @Test
    void jetStreamIsReachable() throws Exception {
        withConnectedBus(bus -> {
            var jsm = bus.jetStreamManagement().orElseThrow();
            jsm.addStream(StreamConfiguration.builder().name("NWTEST").subjects("nwtest.>").storageType(StorageType.Memory).build());
            bus.jetStream().orElseThrow().publish("nwtest.a", bytes("durable"));
            assertEquals(1, jsm.getStreamInfo("NWTEST").getStreamState().getMsgCount());
        });
    }

    @Test
    void afterAnOutageItReconnectsResubscribesAndAsksForResync() throws Exception {
        int port = TestEnv.freePort();
        NatsServerProcess server = new NatsServerProcess(port).start();
        NatsMessaging bus = messaging(server.url());
        bus.start();
        try {
            // Given
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            bus.subscribe("edge.>", Optional.empty(), m -> got.add(text(m)));
            bus.publish("edge.x", bytes("before"));
            assertEquals("before", got.poll(2, TimeUnit.SECONDS));

            // When: the server goes away and comes back on the same port
            server.stop();
            waitFor(() -> !bus.connected());
            server = new NatsServerProcess(port).start();

            // Then
            assertEquals("nats", restored.poll(10, TimeUnit.SECONDS), "roles are asked to resync");
            assertTrue(bus.connected());
            bus.publish("edge.x", bytes("after"));
            assertEquals("after", got.poll(2, TimeUnit.SECONDS), "the subscription survived the outage");
        } finally {
            bus.stop(Duration.ofSeconds(1));
            server.stop();
        }
    }

    @Test
    void startsWhileTheServerIsDownAndConnectsWhenItComesUp() throws Exception {
        int port = TestEnv.freePort();
        NatsMessaging bus = messaging("nats://127.0.0.1:" + port);
        try (NatsServerProcess server = new NatsServerProcess(port)) {
            // Given: no server yet
            bus.start();
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            bus.subscribe("late.>", Optional.empty(), m -> got.add(text(m)));

            // Then: not connected, publishing says why
            assertFalse(bus.connected());
            var e = assertThrows(MessagingUnavailableException.class, () -> bus.publish("late.x", bytes("x")));
            assertTrue(e.getMessage().contains("has not been reached yet"), e.getMessage());

            // When
            server.start();

            // Then
            assertEquals("nats", restored.poll(10, TimeUnit.SECONDS));
            bus.publish("late.x", bytes("hello"));
            assertEquals("hello", got.poll(2, TimeUnit.SECONDS), "a subscription made before the connection works");
        } finally {
            bus.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        NatsMessaging bus = messaging("nats://127.0.0.1:1");
        assertEquals(Duration.ofMillis(100), bus.backoff(1));
        assertEquals(Duration.ofMillis(200), bus.backoff(2));
        assertEquals(Duration.ofMillis(400), bus.backoff(3));
        assertEquals(Duration.ofMillis(500), bus.backoff(4));
        assertEquals(Duration.ofMillis(500), bus.backoff(60));
    }

    @Test
    void credentialsInUrlsAreRedacted() {
        assertEquals("nats://<secret>@h:4222,nats://h2:4222", NatsMessaging.redact("nats://u:p@h:4222,nats://h2:4222"));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(BusMessage m) {
        return new String(m.data(), StandardCharsets.UTF_8);
    }
}
