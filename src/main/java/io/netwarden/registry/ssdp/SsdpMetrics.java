package io.netwarden.registry.ssdp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The SSDP listener's counters on {@code /q/metrics}:
 *
 * <pre>
 *   netwarden_registry_packets_total{outcome = received | accepted}
 *   netwarden_registry_packets_total{outcome = dropped, reason = too_large | foreign_location | not_whitelisted | …}
 *   netwarden_registry_description_fetch_seconds{outcome = ok | description_timeout | …}   device description fetches
 *   netwarden_registry_services{tag, status}   registered services now (refreshed every few seconds)
 * </pre>
 *
 * The reasons are a fixed enum, so the series are bounded whatever arrives. Thread safety: Micrometer counters.
 */
public final class SsdpMetrics {

    private final Counter received;
    private final Counter accepted;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Map<String, Timer> fetches = new java.util.concurrent.ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final MultiGauge services;

    public SsdpMetrics(MeterRegistry registry) {
        this.registry = registry;
        services = MultiGauge.builder("netwarden.registry.services").description("Registered services, by tag and status")
                .register(registry);
        received = counter(registry, "received", null);
        accepted = counter(registry, "accepted", null);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, counter(registry, "dropped", reason.label()));
        }
    }

    private static Counter counter(MeterRegistry registry, String outcome, String reason) {
        Counter.Builder builder = Counter.builder("netwarden.registry.packets").description("SSDP datagrams the registry read")
                .tag("outcome", outcome);
        return (reason == null ? builder.tag("reason", "") : builder.tag("reason", reason)).register(registry);
    }

    public void received() {
        received.increment();
    }

    public void accepted() {
        accepted.increment();
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    /** A device description fetch: {@code ok} or a drop reason's label (a bounded set), and how long it took. */
    public void described(String outcome, Duration took) {
        fetches.computeIfAbsent(outcome, o -> Timer.builder("netwarden.registry.description.fetch")
                .description("Device description fetches, by outcome").tag("outcome", o).register(registry))
                .record(took);
    }

    /** The registered services now, per tag and status (a gauge per pair; pairs that vanished go). */
    public void services(Map<List<String>, Long> byTagAndStatus) {
        services.register(byTagAndStatus.entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("tag", e.getKey().get(0),
                "status", e.getKey().get(1)), e.getValue())).toList(), true);
    }

    public double droppedCount(DropReason reason) {
        return dropped.get(reason).count();
    }

    public double acceptedCount() {
        return accepted.count();
    }
}
