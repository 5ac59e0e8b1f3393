package io.netwarden.dnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostResolverTest {

    @Test
    void anIpLiteralIsNeverLookedUp() throws Exception {
        HostResolver resolver = new HostResolver(host -> {
            throw new AssertionError("looked up " + host);
        }, Duration.ofSeconds(1));
        assertEquals("192.0.2.1", resolver.resolve("192.0.2.1").getHostAddress());
        assertEquals(InetAddress.getByName("2001:db8::1"), resolver.resolve("2001:db8::1"));
    }

    @Test
    void aNameThatTakesTooLongIsGivenUpOnInTime() {
        // Given: a name server that does not answer
        HostResolver resolver = new HostResolver(host -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host);
        }, Duration.ofMillis(200));

        // When / Then
        long start = System.nanoTime();
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> resolver.resolve("router.example"));
        assertTrue(e.getMessage().contains("within 200 ms"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "gave up in time");
    }

    @Test
    void aNameIsResolvedByTheSystemResolver() throws Exception {
        // localhost comes from the hosts file: nothing leaves the machine
        assertTrue(HostResolver.system().resolve("localhost").isLoopbackAddress());
    }
}
