package io.netwarden.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    @Test
    void aSourceGetsItsShareAndNoMore() {
        // Given
        ConnectionLimits limits = new ConnectionLimits(10, 3);

        // When
        List<ConnectionLimits.Refusal> flood = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            flood.add(limits.admit("192.0.2.1"));
        }

        // Then
        assertEquals(java.util.Arrays.asList(null, null, null, ConnectionLimits.Refusal.PER_SOURCE,
                ConnectionLimits.Refusal.PER_SOURCE), flood);
        assertNull(limits.admit("192.0.2.2"), "another source still gets in");
        assertEquals(4, limits.open());
        limits.release("192.0.2.1");
        assertNull(limits.admit("192.0.2.1"), "a closed connection frees its place");
    }

    @Test
    void theTotalHoldsAcrossSources() {
        ConnectionLimits limits = new ConnectionLimits(4, 0);
        for (int i = 0; i < 4; i++) {
            assertNull(limits.admit("198.51.100." + i));
        }
        assertEquals(ConnectionLimits.Refusal.TOTAL, limits.admit("198.51.100.9"));
        assertEquals(4, limits.open());
    }

    @Test
    void countsStayExactUnderConcurrentAdmitsAndReleases() throws Exception {
        // Given
        ConnectionLimits limits = new ConnectionLimits(1000, 50);
        var pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(8);

        // When: eight threads admit and release connections of four sources
        for (int t = 0; t < 8; t++) {
            String source = "203.0.113." + (t % 4);
            pool.execute(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (limits.admit(source) == null) {
                        limits.release(source);
                    }
                }
                done.countDown();
            });
        }
        done.await(30, TimeUnit.SECONDS);
        pool.shutdown();

        // Then
        assertEquals(0, limits.open());
        assertEquals(0, limits.sources(), "sources without connections are forgotten");
    }

    @Test
    void ipv6SourcesAreCountedPerSlash64() throws Exception {
        assertEquals(SourceAddress.of(InetAddress.getByName("2001:db8:1:2::1")),
                SourceAddress.of(InetAddress.getByName("2001:db8:1:2:abcd::9")));
        assertEquals("192.0.2.7", SourceAddress.of(InetAddress.getByName("192.0.2.7")));
    }
}
