package io.netwarden.registry.description;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.registry.ssdp.DropReason;
import io.netwarden.testing.Deadline;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sharing, caching and bounding of description fetches, on a source the test holds back. */
class DeviceDescriptionsTest {

    private static final InetAddress DEVICE = InetAddress.ofLiteral("192.0.2.50");

    /** Counts fetches; each waits for the test's go. */
    static final class HeldSource implements DescriptionSource {
        final AtomicInteger fetches = new AtomicInteger();
        final CountDownLatch go = new CountDownLatch(1);
        volatile boolean failing;

        @Override
        public byte[] fetch(URI location, InetAddress address) throws DescriptionException {
            fetches.incrementAndGet();
            try {
                go.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw new DescriptionException(DropReason.DESCRIPTION_TIMEOUT, "held too long");
            }
            return FakeDescriptionSource.description("Held " + location.getPort(), "uuid:held").getBytes(StandardCharsets.UTF_8);
        }
    }

    private final HeldSource source = new HeldSource();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> timed = new CopyOnWriteArrayList<>();
    private final DeviceDescriptions descriptions = new DeviceDescriptions(source, (outcome, took) -> timed.add(outcome),
            now::get);

    private CompletableFuture<DeviceDescription> describe(int port) {
        return descriptions.describe(URI.create("http://192.0.2.50:" + port + "/d.xml"), DEVICE, "uuid:held",
                OptionalLong.of(1));
    }

    private static DropReason reason(CompletableFuture<?> future) {
        try {
            future.join();
            throw new AssertionError("expected to fail");
        } catch (CompletionException e) {
            return ((DescriptionException) e.getCause()).reason();
        }
    }

    @Test
    void requestsForOneLocationShareOneFetchAndItsResultIsKeptAWhile() {
        // Given: a burst for one location while the fetch is under way
        List<CompletableFuture<DeviceDescription>> burst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            burst.add(describe(8000));
        }

        // When
        source.go.countDown();

        // Then
        burst.forEach(f -> assertEquals("Held 8000", f.join().friendlyName()));
        assertEquals(1, source.fetches.get());
        assertEquals(List.of("ok"), timed);
        assertEquals("Held 8000", describe(8000).join().friendlyName());
        assertEquals(1, source.fetches.get(), "kept");

        now.addAndGet(DeviceDescriptions.KEEP.toNanos() + 1);
        describe(8000).join();
        assertEquals(2, source.fetches.get(), "fetched again once it is old");
    }

    @Test
    void aFailureIsKeptForAShortWhileThenTriedAgain() {
        source.failing = true;
        source.go.countDown();
        assertEquals(DropReason.DESCRIPTION_TIMEOUT, reason(describe(8001)));
        assertEquals(DropReason.DESCRIPTION_TIMEOUT, reason(describe(8001)));
        assertEquals(1, source.fetches.get());
        assertEquals(List.of("description_timeout"), timed);

        now.addAndGet(DeviceDescriptions.KEEP_FAILURE.toNanos() + 1);
        source.failing = false;
        assertEquals("Held 8001", describe(8001).join().friendlyName());
        assertEquals(2, source.fetches.get());
    }

    @Test
    void oneAddressHasOnlyAFewFetchesUnderWayAtOnce() {
        // Given: as many held fetches from one address as it may have
        List<CompletableFuture<DeviceDescription>> held = new ArrayList<>();
        for (int i = 0; i < DeviceDescriptions.MAX_IN_FLIGHT_PER_ADDRESS; i++) {
            held.add(describe(9000 + i));
        }

        // When
        CompletableFuture<DeviceDescription> beyond = describe(9100);

        // Then
        assertEquals(DropReason.DESCRIPTION_BUSY, reason(beyond));
        source.go.countDown();
        held.forEach(CompletableFuture::join);
        Deadline.await("the slots given back", Duration.ofSeconds(5), descriptions::inFlight, n -> n == 0);
        assertTrue(describe(9100).join().friendlyName().endsWith("9100"), "a slot is free again: not busy now");
    }
}
