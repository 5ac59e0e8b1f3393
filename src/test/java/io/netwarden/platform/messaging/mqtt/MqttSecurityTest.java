package io.netwarden.platform.messaging.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.auth.Secret;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.TestEnv;
import io.netwarden.testing.TestPki;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MQTT link against a Mosquitto of the test's own that wants TLS, a client certificate and a password (certificates
 * made by the test): it gets in with all three, and not with a wrong password, without its certificate, or when it
 * trusts another CA.
 */
class MqttSecurityTest {

    private static Vertx vertx;
    private static Process broker;
    private static TestPki pki;
    private static TestPki stranger;
    private static int port;

    @BeforeAll
    static void broker() throws Exception {
        vertx = Vertx.vertx();
        Path dir = Files.createTempDirectory("nwtest-mqtt-tls");
        pki = TestPki.create(dir);
        stranger = pki.stranger();
        port = TestEnv.freePort();
        Process passwd = new ProcessBuilder("mosquitto_passwd", "-b", "-c", dir.resolve("passwd").toString(), "nwuser",
                "s3cret-Pass").redirectErrorStream(true).start();
        assertTrue(passwd.waitFor(10, TimeUnit.SECONDS) && passwd.exitValue() == 0, "mosquitto_passwd");
        Files.writeString(dir.resolve("mosquitto.conf"), """
                user root
                listener %d 127.0.0.1
                cafile %s
                certfile %s
                keyfile %s
                require_certificate true
                allow_anonymous false
                password_file %s
                """.formatted(port, pki.ca(), pki.serverCert(), pki.serverKey(), dir.resolve("passwd")));
        broker = new ProcessBuilder("mosquitto", "-c", dir.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        Deadline.await("mosquitto listening", Duration.ofSeconds(10), () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        }, up -> up);
    }

    @AfterAll
    static void stop() {
        broker.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static MqttLink link(String password, boolean certificate, TestPki trusting) {
        return new MqttLink(vertx, MqttSettings.of("ssl://127.0.0.1:" + port, "nwtest-tls-" + System.nanoTime(),
                Optional.of("nwuser"), Optional.of(Secret.of(password)), Optional.of(trusting.ca()),
                certificate ? Optional.of(pki.clientCert()) : Optional.empty(),
                certificate ? Optional.of(pki.clientKey()) : Optional.empty(), Duration.ofSeconds(30), 4096));
    }

    @Test
    void withTlsAClientCertificateAndThePasswordItConnectsAndMessagesFlow() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        AtomicInteger connects = new AtomicInteger();
        try (MqttLink link = link("s3cret-Pass", true, pki)) {
            link.subscribe("nwtest/tls/+", (topic, payload) -> got.add(topic + " " + new String(payload, StandardCharsets.UTF_8)));
            link.onConnected(connects::incrementAndGet);
            link.start();
            Deadline.await("connected over TLS", Duration.ofSeconds(10), connects::get, n -> n == 1);
            link.publish("nwtest/tls/a", "over tls".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertEquals("nwtest/tls/a over tls", got.poll(10, TimeUnit.SECONDS));
            assertEquals("mqtts://127.0.0.1:" + port, link.settings().describe());
            assertFalse(link.settings().toString().contains("s3cret-Pass"), "the password is never printed");
        }
    }

    @Test
    void aWrongPasswordNoCertificateOrAnUntrustedServerKeepItOut() throws Exception {
        for (MqttLink link : new MqttLink[] {link("wrong", true, pki), link("s3cret-Pass", false, pki),
            link("s3cret-Pass", true, stranger)}) {
            try (link) {
                link.start();
                Thread.sleep(1500); // connected() only turns true on a CONNACK; nothing to wait for but time
                assertFalse(link.connected());
                java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class,
                        () -> link.publish("nwtest/tls/x", new byte[1]).get(5, TimeUnit.SECONDS));
                assertTrue(refused.getCause() instanceof MqttUnavailableException, refused.toString());
                assertFalse(refused.getCause().getMessage().contains("s3cret"), refused.getCause().getMessage());
            }
        }
    }
}
