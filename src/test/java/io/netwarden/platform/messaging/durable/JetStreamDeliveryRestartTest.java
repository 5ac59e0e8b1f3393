package io.netwarden.platform.messaging.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netwarden.platform.messaging.NatsMessaging;
import io.netwarden.platform.messaging.NatsSecurity;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.NatsServerProcess;
import io.netwarden.testing.TestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * JetStream delivery across a restart of its NATS server: the consumers pull again as soon as the link is back. A
 * restarted server forgets the pulls that waited on it; without asking again, jnats would notice only when the pull
 * expires or its heartbeats are missed, half a minute and more later.
 */
class JetStreamDeliveryRestartTest {

    /** Threads running a jnats dispatcher (one per consumer's subscription). */
    private static int dispatchers() {
        int n = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().equals("io.nats.client.impl.NatsDispatcher") && frame.getMethodName().equals("run")) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    @Test
    void aConsumerGetsWhatIsPublishedAfterItsServerRestartedWithoutWaitingForItsPullToExpire() throws Exception {
        AtomicReference<JetStreamDelivery> restarted = new AtomicReference<>();
        NatsServerProcess server = new NatsServerProcess(TestEnv.freePort()).start();
        NatsMessaging bus = null;
        try {
            bus = new NatsMessaging(server.url(), "netwarden-test", Duration.ofSeconds(2), Duration.ofMillis(100),
                    Duration.ofMillis(500), NatsSecurity.NONE, source -> restarted.get().linkRestored());
            bus.start();
            JetStreamDelivery delivery = new JetStreamDelivery(bus, Duration.ofMillis(500));
            restarted.set(delivery);
            delivery.declare(new StreamSpec("RESTART", List.of("restart.>"), Duration.ofMinutes(5)));
            List<String> received = new CopyOnWriteArrayList<>();
            DurableDelivery.Consumption consuming = delivery.consumeBatches(new ConsumerSpec("RESTART", "restart-test",
                    "restart.>", Duration.ofSeconds(30), 0, 16), batch -> batch.forEach(d -> {
                        received.add(new String(d.data(), StandardCharsets.UTF_8));
                        d.ack();
                    }));
            try {
                delivery.publish("RESTART", Outgoing.of("restart.one", "one".getBytes(StandardCharsets.UTF_8), "one"));
                Deadline.await("the first message", Duration.ofSeconds(10), () -> List.copyOf(received), r -> r.contains("one"));

                server.stop();
                server.start();
                Deadline.await("the second message stored after the restart", Duration.ofSeconds(20), () -> {
                    try {
                        return delivery.publish("RESTART", Outgoing.of("restart.two", "two".getBytes(StandardCharsets.UTF_8),
                                "two"));
                    } catch (DeliveryUnavailableException notYet) {
                        return 0L;
                    }
                }, sequence -> sequence > 0);

                // well inside the default pull expiry (30 s) and its heartbeat alarm
                Deadline.await("the second message handed out", Duration.ofSeconds(10), () -> List.copyOf(received),
                        r -> r.contains("two"));
                assertEquals(List.of("one", "two"), received);

                // the consumers a restart replaced are closed: their jnats dispatcher threads do not pile up
                int before = dispatchers();
                for (int i = 0; i < 4; i++) {
                    server.stop();
                    server.start();
                    Deadline.await("linked again", Duration.ofSeconds(20), bus::connected, c -> c);
                    Deadline.await("consuming again", Duration.ofSeconds(20), () -> {
                        try {
                            delivery.publish("RESTART", Outgoing.of("restart.more", new byte[] {1}, null));
                            return true;
                        } catch (DeliveryUnavailableException notYet) {
                            return false;
                        }
                    }, stored -> stored);
                }
                Deadline.await("the replaced consumers closed", Duration.ofSeconds(20), JetStreamDeliveryRestartTest::dispatchers,
                        n -> n <= before);
            } finally {
                consuming.close();
            }
        } finally {
            if (bus != null) {
                bus.stop(Duration.ZERO); // before the server: a drain waits for the link
            }
            server.close();
        }
    }
}
