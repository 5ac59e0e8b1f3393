package io.netwarden.netmanager.table;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a node knows of the cluster's services: for each service the instances (their namespace address, the node that
 * runs them and its tunnel port) and the service IPs that reach them; looked up by service name, service IP or instance
 * address on every new connection the tunnel sees.
 *
 * <pre>
 *   replace(service, instances) ─▶ a new immutable snapshot: services by name, by service IP, instances by address
 *   lookups ─▶ read the current snapshot (one volatile read; never a lock)
 *   miss(key) ─▶ remembered for the negative-cache time, so that a flood of packets to an unknown address asks once
 * </pre>
 *
 * Thread safety: writers are serialised on this object and publish a whole new snapshot; readers take the current
 * one. A reader never sees half an update.
 */
public final class TranslationTable {

    /** A service IP of an instance: its kind ({@code round_robin}, {@code closest}, {@code instance}) and address. */
    public record ServiceIp(String kind, String address) {
    }

    /** One instance of a service as the cluster described it. */
    public record Instance(String service, int instanceNumber, String nsAddress, String nodeAddress, int nodePort,
            List<ServiceIp> serviceIps) {
    }

    private record Snapshot(Map<String, List<Instance>> byService, Map<String, String> serviceByIp,
            Map<String, Instance> byNsAddress, Map<String, Instance> byInstanceIp) {
    }

    private final Clock clock;
    private final Duration negativeFor;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of());
    private final Map<String, Instant> misses = new ConcurrentHashMap<>();

    public TranslationTable(Clock clock, Duration negativeFor) {
        this.clock = clock;
        this.negativeFor = negativeFor;
    }

    /** Replaces what is known of {@code service} (no instances: it is forgotten). */
    public synchronized void replace(String service, List<Instance> instances) {
        Map<String, List<Instance>> byService = new HashMap<>(snapshot.byService());
        if (instances.isEmpty()) {
            byService.remove(service);
        } else {
            byService.put(service, List.copyOf(instances));
        }
        Map<String, String> serviceByIp = new HashMap<>();
        Map<String, Instance> byNsAddress = new HashMap<>();
        Map<String, Instance> byInstanceIp = new HashMap<>();
        byService.forEach((name, list) -> list.forEach(instance -> {
            instance.serviceIps().forEach(ip -> {
                serviceByIp.put(ip.address(), name);
                if (ip.kind().equals("instance")) {
                    byInstanceIp.put(ip.address(), instance);
                }
            });
            byNsAddress.put(instance.nsAddress(), instance);
        }));
        snapshot = new Snapshot(Map.copyOf(byService), Map.copyOf(serviceByIp), Map.copyOf(byNsAddress),
                Map.copyOf(byInstanceIp));
        misses.remove(service);
        instances.forEach(i -> i.serviceIps().forEach(ip -> misses.remove(ip.address())));
    }

    public List<Instance> instances(String service) {
        return snapshot.byService().getOrDefault(service, List.of());
    }

    /** The service a service IP belongs to. */
    public Optional<String> serviceOf(String serviceIp) {
        return Optional.ofNullable(snapshot.serviceByIp().get(serviceIp));
    }

    /** The instance at a namespace address (replies come from there). */
    public Optional<Instance> instanceAt(String nsAddress) {
        return Optional.ofNullable(snapshot.byNsAddress().get(nsAddress));
    }

    /** The instance an instance IP belongs to. */
    public Optional<Instance> instanceWithIp(String instanceIp) {
        return Optional.ofNullable(snapshot.byInstanceIp().get(instanceIp));
    }

    /** The instance IP of the instance at a namespace address. */
    public Optional<String> instanceIpOf(String nsAddress) {
        return instanceAt(nsAddress).flatMap(i -> i.serviceIps().stream().filter(ip -> ip.kind().equals("instance"))
                .map(ServiceIp::address).findFirst());
    }

    /** Every known instance, by service. */
    public List<Instance> all() {
        List<Instance> out = new ArrayList<>();
        snapshot.byService().keySet().stream().sorted().forEach(s -> out.addAll(snapshot.byService().get(s)));
        return out;
    }

    public int size() {
        return snapshot.byNsAddress().size();
    }

    /** Remembers that the cluster knows nothing of {@code key} (a name or an IP). */
    public void miss(String key) {
        if (misses.size() < 100_000) {
            misses.put(key, clock.instant().plus(negativeFor));
        }
    }

    /** Whether {@code key} was a miss within the negative-cache time. */
    public boolean recentlyMissed(String key) {
        Instant until = misses.get(key);
        if (until == null) {
            return false;
        }
        if (clock.instant().isAfter(until)) {
            misses.remove(key, until);
            return false;
        }
        return true;
    }
}
