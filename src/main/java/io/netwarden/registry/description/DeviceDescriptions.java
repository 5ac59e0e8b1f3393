package io.netwarden.registry.description;

import io.netwarden.registry.ssdp.DropReason;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Device descriptions for the registry: fetched once per LOCATION and boot, shared by every service the device
 * announces, kept a while.
 *
 * <pre>
 *   describe(location, address, udn, bootId)
 *     ─ a fetch of that location and boot under way ─▶ joins it (a device announces many USNs in one burst)
 *     ─ fetched less than KEEP ago (a failure: KEEP_FAILURE) ─▶ that result again
 *     ─ else: MAX_IN_FLIGHT fetches in all, MAX_IN_FLIGHT_PER_ADDRESS from one address ─ beyond ─▶ DESCRIPTION_BUSY
 *       └ a virtual thread: source.fetch ─▶ DescriptionParser ─▶ the device whose UDN the USN names (else the root)
 *   forget(location): a service deregistered as critical fetches its description again before it registers again
 *   every fetch is timed: timing.fetched(outcome, took)
 * </pre>
 *
 * Thread safety: a concurrent map of futures, inserted with {@code compute}, so one fetch per key runs at a time;
 * counters are atomic.
 */
public final class DeviceDescriptions {

    private static final Logger LOG = Logger.getLogger(DeviceDescriptions.class);
    static final Duration KEEP = Duration.ofSeconds(60);
    static final Duration KEEP_FAILURE = Duration.ofSeconds(10);
    static final int MAX_IN_FLIGHT = 64;
    static final int MAX_IN_FLIGHT_PER_ADDRESS = 4;
    static final int MAX_CACHED = 10_000;

    /** Told of every fetch: {@code ok} or the drop reason's label, and how long it took. */
    @FunctionalInterface
    public interface Timing {
        void fetched(String outcome, Duration took);
    }

    private final DescriptionSource source;
    private final Timing timing;
    private final LongSupplier nanos;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<InetAddress, Integer> inFlightFrom = new ConcurrentHashMap<>();

    /** A fetch, under way or done; {@code doneAt} set when it completes. */
    private static final class Entry {
        final CompletableFuture<DeviceDescription.Document> document = new CompletableFuture<>();
        volatile long doneAt;

        boolean usable(long now) {
            if (!document.isDone()) {
                return true;
            }
            Duration keep = document.isCompletedExceptionally() ? KEEP_FAILURE : KEEP;
            return now - doneAt < keep.toNanos();
        }
    }

    public DeviceDescriptions(DescriptionSource source, Timing timing) {
        this(source, timing, System::nanoTime);
    }

    DeviceDescriptions(DescriptionSource source, Timing timing, LongSupplier nanos) {
        this.source = source;
        this.timing = timing;
        this.nanos = nanos;
    }

    /**
     * The description of the device {@code udn} announced at {@code location}; fails with a {@link DescriptionException}
     * when it cannot be had.
     */
    public CompletableFuture<DeviceDescription> describe(URI location, InetAddress address, String udn, OptionalLong bootId) {
        String key = location + (bootId.isPresent() ? " " + bootId.getAsLong() : "");
        long now = nanos.getAsLong();
        Entry[] created = new Entry[1];
        Entry entry = cache.compute(key, (k, old) -> {
            if (old != null && old.usable(now)) {
                return old;
            }
            created[0] = new Entry();
            return created[0];
        });
        if (created[0] != null) {
            if (!reserve(address)) {
                cache.remove(key, entry);
                entry.document.completeExceptionally(new DescriptionException(DropReason.DESCRIPTION_BUSY,
                        "as many descriptions are being fetched as may be"));
            } else {
                prune(now);
                Thread.ofVirtual().name("registry-describe").start(() -> fetch(entry, location, address));
            }
        }
        return entry.document.thenApply(document -> document.device(udn));
    }

    /**
     * Forgets what was fetched from {@code location} (any boot): the next announcement fetches it again. For a service
     * deregistered as critical, whose device must show it answers before it registers again.
     */
    public void forget(String location) {
        cache.keySet().removeIf(key -> key.equals(location) || key.startsWith(location + " "));
    }

    private void fetch(Entry entry, URI location, InetAddress address) {
        long started = nanos.getAsLong();
        DeviceDescription.Document document = null;
        DescriptionException failure = null;
        try {
            document = DescriptionParser.parse(source.fetch(location, address));
        } catch (DescriptionException e) {
            failure = e;
        } catch (DescriptionParser.InvalidDescription e) {
            failure = new DescriptionException(DropReason.DESCRIPTION_INVALID, e.getMessage());
        } catch (RuntimeException e) {
            failure = new DescriptionException(DropReason.DESCRIPTION_UNREACHABLE, "fetch failed: " + e.getClass().getSimpleName());
        }
        long done = nanos.getAsLong();
        entry.doneAt = done; // before it completes: whoever sees it done sees when
        release(address);
        String outcome = failure == null ? "ok" : failure.reason().label();
        timing.fetched(outcome, Duration.ofNanos(done - started));
        if (failure == null) {
            entry.document.complete(document);
        } else {
            LOG.warnf("device description at %s not usable: %s (%s); its services are not registered (tried again after"
                    + " %ss)", location, outcome, failure.getMessage(), KEEP_FAILURE.toSeconds());
            entry.document.completeExceptionally(failure);
        }
    }

    private boolean reserve(InetAddress address) {
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            return false;
        }
        boolean[] reserved = {false};
        inFlightFrom.compute(address, (a, count) -> {
            int now = count == null ? 0 : count;
            if (now >= MAX_IN_FLIGHT_PER_ADDRESS) {
                return count;
            }
            reserved[0] = true;
            return now + 1;
        });
        if (!reserved[0]) {
            inFlight.decrementAndGet();
        }
        return reserved[0];
    }

    private void release(InetAddress address) {
        inFlight.decrementAndGet();
        inFlightFrom.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
    }

    /** Keeps the cache bounded: stale entries go first, then every finished one. */
    private void prune(long now) {
        if (cache.size() <= MAX_CACHED) {
            return;
        }
        cache.values().removeIf(e -> e.document.isDone() && !e.usable(now));
        if (cache.size() > MAX_CACHED) {
            cache.values().removeIf(e -> e.document.isDone());
        }
    }

    /** Fetches under way (for tests and the log). */
    int inFlight() {
        return inFlight.get();
    }
}
