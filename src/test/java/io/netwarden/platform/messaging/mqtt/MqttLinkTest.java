package io.netwarden.platform.messaging.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.Deadline;
import io.netwarden.testing.RawMqtt;
import io.netwarden.testing.TestEnv;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MQTT link against the test environment's Mosquitto, with a plain client as its peer. */
class MqttLinkTest {

    private static Vertx vertx;

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static MqttSettings settings(String url, String clientId, int maxPayload) {
        return MqttSettings.of(url, clientId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(30), maxPayload);
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void messagesOfMatchingFiltersArriveInOrderAndPublishesAreConfirmed() throws Exception {
        String base = "nwtest/" + unique();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        AtomicInteger connects = new AtomicInteger();
        try (MqttLink link = new MqttLink(vertx, settings(TestEnv.mqttUrl(), "nwtest-" + unique(), 1024));
                RawMqtt peer = new RawMqtt(vertx, "nwtest-peer-" + unique())) {
            link.subscribe(base + "/+/in", (topic, payload) -> got.add(topic + " " + new String(payload, StandardCharsets.UTF_8)));
            link.onConnected(connects::incrementAndGet);
            link.start();
            Deadline.await("connected", Duration.ofSeconds(10), link::connected, c -> c);
            Deadline.await("subscribed (the resync runs after the subscriptions)", Duration.ofSeconds(10), connects::get, n -> n == 1);
            for (int i = 0; i < 20; i++) {
                peer.publish(base + "/n" + i + "/in", "m" + i);
            }
            peer.publish(base + "/n1/other", "not for the filter");
            for (int i = 0; i < 20; i++) {
                assertEquals(base + "/n" + i + "/in m" + i, got.poll(10, TimeUnit.SECONDS));
            }
            assertNull(got.poll(300, TimeUnit.MILLISECONDS), "nothing outside the filter");

            peer.subscribe(base + "/out");
            link.publish(base + "/out", "answer".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertEquals(new RawMqtt.Message(base + "/out", "answer"), peer.next(10_000));
        }
    }

    @Test
    void aMessageLargerThanTheLimitIsDroppedAndCountedAndTheNextArrives() throws Exception {
        String topic = "nwtest/" + unique() + "/big";
        BlockingQueue<Integer> sizes = new LinkedBlockingQueue<>();
        AtomicInteger connects = new AtomicInteger();
        try (MqttLink link = new MqttLink(vertx, settings(TestEnv.mqttUrl(), "nwtest-" + unique(), 1024));
                RawMqtt peer = new RawMqtt(vertx, "nwtest-peer-" + unique())) {
            link.subscribe(topic, (t, payload) -> sizes.add(payload.length));
            link.onConnected(connects::incrementAndGet);
            link.start();
            Deadline.await("subscribed", Duration.ofSeconds(10), connects::get, n -> n == 1);
            peer.publish(topic, new byte[1025]);
            peer.publish(topic, new byte[1024]);
            assertEquals(1024, sizes.poll(10, TimeUnit.SECONDS), "the one within the limit");
            assertEquals(1, link.dropped(), "the larger one counted");
            assertEquals(1, connects.get(), "on the same connection");
            // far beyond: the client cannot skip such a packet; the connection is reset and made again
            peer.publish(topic, new byte[200_000]);
            Deadline.await("connected again", Duration.ofSeconds(20), connects::get, n -> n == 2);
            peer.publish(topic, new byte[10]);
            assertEquals(10, sizes.poll(10, TimeUnit.SECONDS));
            assertNull(sizes.poll(300, TimeUnit.MILLISECONDS));
            Deadline.await("connected still, or again", Duration.ofSeconds(10), link::connected, c -> c);
        }
    }

    @Test
    void aRetainedMessageTooLargeToSkipDoesNotMakeTheLinkReconnectInATightLoop() throws Exception {
        String topic = "nwtest/" + unique() + "/retained";
        java.util.List<Long> connects = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RawMqtt peer = new RawMqtt(vertx, "nwtest-peer-" + unique())) {
            peer.publishRetained(topic, new byte[200_000]); // comes with every subscription, so with every connect
            try (MqttLink link = new MqttLink(vertx, settings(TestEnv.mqttUrl(), "nwtest-" + unique(), 1024))) {
                link.subscribe(topic, (t, payload) -> {
                });
                link.onConnected(() -> connects.add(System.nanoTime()));
                link.start();
                Deadline.await("four connections", Duration.ofSeconds(30), connects::size, n -> n >= 4);
                // each lost at once: the backoff is not reset, so the tries come 0.5 s, 1 s, 2 s apart (not 0.5 s each)
                assertTrue(connects.get(3) - connects.get(2) >= Duration.ofMillis(1500).toNanos(),
                        "the third reconnect waited the doubled backoff: " + connects);
            } finally {
                peer.publishRetained(topic, new byte[0]);
            }
        }
    }

    @Test
    void aFloodOnOneSourceNeitherCrowdsOutNorHoldsUpTheOthers() throws Exception {
        String base = "nwtest/" + unique();
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger connects = new AtomicInteger();
        try (MqttLink link = new MqttLink(vertx, settings(TestEnv.mqttUrl(), "nwtest-" + unique(), 1024));
                RawMqtt peer = new RawMqtt(vertx, "nwtest-peer-" + unique())) {
            link.fairBy(topic -> topic.split("/")[2]); // nwtest/<run>/<source>/…
            link.subscribe(base + "/#", (topic, payload) -> {
                entered.countDown();
                release.await(); // the handler is stuck until the flood is queued
                handled.add(topic.substring(base.length() + 1));
            });
            link.onConnected(connects::incrementAndGet);
            link.start();
            Deadline.await("subscribed", Duration.ofSeconds(10), connects::get, n -> n == 1);
            peer.publish(base + "/first/m", "holds the handler");
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the handler took the first message");
            int flood = MqttLink.PER_SOURCE + 200;
            for (int i = 0; i < flood; i++) {
                peer.publishAtMostOnce(base + "/flood/m", new byte[] {'x'});
            }
            for (int i = 0; i < 3; i++) {
                peer.publish(base + "/quiet/m" + i, "y");
            }
            Deadline.await("the flood's share and the quiet source's three queued", Duration.ofSeconds(20), link::waiting,
                    n -> n == MqttLink.PER_SOURCE + 3);
            assertEquals(200, link.dropped(), "the flood beyond its share dropped");
            release.countDown();
            Deadline.await("the quiet source's three handled", Duration.ofSeconds(20), () -> List.copyOf(handled),
                    h -> h.containsAll(List.of("quiet/m0", "quiet/m1", "quiet/m2")));
            assertTrue(handled.indexOf("quiet/m2") < 10, "in turn with the flood, not after it: " + handled.indexOf("quiet/m2"));
            Deadline.await("the flood's share handled", Duration.ofSeconds(20), handled::size,
                    n -> n == 1 + MqttLink.PER_SOURCE + 3);
        }
    }

    @Test
    void aLostConnectionIsMadeAgainWithItsSubscriptionsAndTheOwnerResyncs() throws Exception {
        String clientId = "nwtest-" + unique();
        String topic = "nwtest/" + unique() + "/again";
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        AtomicInteger connects = new AtomicInteger();
        try (MqttLink link = new MqttLink(vertx, settings(TestEnv.mqttUrl(), clientId, 1024));
                RawMqtt peer = new RawMqtt(vertx, "nwtest-peer-" + unique())) {
            link.subscribe(topic, (t, payload) -> got.add(new String(payload, StandardCharsets.UTF_8)));
            link.onConnected(connects::incrementAndGet);
            link.start();
            Deadline.await("subscribed", Duration.ofSeconds(10), connects::get, n -> n == 1);
            // a second client with the same id: the broker drops the link's connection
            try (RawMqtt intruder = new RawMqtt(vertx, clientId)) {
                Deadline.await("the link saw its connection go", Duration.ofSeconds(10), link::connected, c -> !c);
            }
            Deadline.await("connected again and resynced", Duration.ofSeconds(20), connects::get, n -> n >= 2);
            peer.publish(topic, "after");
            assertEquals("after", got.poll(10, TimeUnit.SECONDS), "subscribed again");
        }
    }

    @Test
    void withoutABrokerAPublishFailsAtOnceAndSaysWhy() throws Exception {
        int port = TestEnv.freePort();
        try (MqttLink link = new MqttLink(vertx, settings("tcp://127.0.0.1:" + port, "nwtest-" + unique(), 1024))) {
            link.start();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> link.publish("nwtest/x", new byte[1]).get(5, TimeUnit.SECONDS));
            assertInstanceOf(MqttUnavailableException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + port), e.getCause().getMessage());
        }
    }

    @Test
    void urlsTopicsAndFiltersAreCheckedWithClearErrors() {
        assertEquals("mqtts://broker:8883", settings("ssl://broker", "c", 1).describe());
        assertEquals("tcp://10.0.0.3:1883", settings("tcp://10.0.0.3", "c", 1).describe());
        assertEquals("tcp://[::1]:1884", settings("mqtt://[::1]:1884", "c", 1).describe());
        for (String[] bad : new String[][] {{"http://x", "must start with"}, {"tcp://user:pw@x", "not in the URL"},
                {"tcp:///", "no host"}, {"tcp://x/path", "nothing after"}, {"not a url at all", "not a URL"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(bad[0], "c", 1));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + " → " + e.getMessage());
            assertTrue(!e.getMessage().contains("pw"), "never echoes a password");
        }
        assertThrows(IllegalArgumentException.class, () -> settings("tcp://x", "with space", 1));
        assertTrue(MqttTopics.matches("nodes/+/net/subnet", "nodes/n1/net/subnet"));
        assertTrue(!MqttTopics.matches("nodes/+/net/subnet", "nodes/n1/net/subnet/x"));
        assertTrue(MqttTopics.matches("nodes/#", "nodes/n1/net/subnet"));
        assertTrue(!MqttTopics.matches("nodes/+", "nodes"));
        assertThrows(IllegalArgumentException.class, () -> MqttTopics.requireValidTopic("a/+/b"));
        assertThrows(IllegalArgumentException.class, () -> MqttTopics.requireValidFilter("a/#/b"));
        assertThrows(IllegalArgumentException.class, () -> MqttTopics.requireValidFilter("a/b+"));
        assertThrows(IllegalArgumentException.class, () -> MqttTopics.requireValidTopic("a\u0000b"));
    }
}
