package io.netwarden.platform.messaging.durable;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.messaging.NatsMessaging;
import io.netwarden.platform.messaging.NatsSecurity;
import io.netwarden.testing.NatsServerProcess;
import io.netwarden.testing.TestEnv;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** JetStream delivery when its broker goes away: publishing without waiting says so through its future. */
class JetStreamDeliveryAwayTest {

    @Test
    void aMessagePublishedWithoutWaitingWhileTheBrokerIsAwayFailsAsUnavailable() throws Exception {
        NatsMessaging bus = null;
        try (NatsServerProcess server = new NatsServerProcess(TestEnv.freePort()).start()) {
            bus = new NatsMessaging(server.url(), "netwarden-test", Duration.ofSeconds(2), Duration.ofMillis(100),
                    Duration.ofMillis(500), NatsSecurity.NONE, url -> {
                    });
            bus.start();
            JetStreamDelivery delivery = new JetStreamDelivery(bus);
            delivery.declare(new StreamSpec("AWAY", List.of("away.>"), Duration.ofMinutes(5)));
            assertTrue(delivery.publishAsync("AWAY", Outgoing.of("away.one", new byte[] {1}, "one")).get(10, TimeUnit.SECONDS) > 0);

            server.stop();
            CompletableFuture<Long> lost = delivery.publishAsync("AWAY", Outgoing.of("away.two", new byte[] {2}, "two"));
            ExecutionException failed = assertThrows(ExecutionException.class, () -> lost.get(30, TimeUnit.SECONDS));
            assertInstanceOf(DeliveryUnavailableException.class, failed.getCause());
        } finally {
            if (bus != null) {
                bus.stop(Duration.ZERO);
            }
        }
    }
}
