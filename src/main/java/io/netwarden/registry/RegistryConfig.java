package io.netwarden.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of the registry role: which SSDP advertisements to register, and where. */
@ConfigMapping(prefix = "netwarden.registry")
public interface RegistryConfig {

    /**
     * Where registered services go: {@code database} (the platform database, what the API lists) or {@code consul}: as
     * well registered with the Consul agent at {@code netwarden.consul.url}, one Consul service per instance and USN with
     * a TTL check.
     */
    @WithDefault("database")
    Backend backend();

    /** Whitelist by tag: {@code netwarden.registry.tags."RackHD"=urn1,urn2}. */
    Map<String, List<String>> tags();

    /** A {@code registry.json} in the Service Registry's format ({@code {"ssdp":{"tags":{"Tag":["urn",…]}}}}), read at start. */
    Optional<Path> configFile();

    /**
     * Whether this instance listens for SSDP at all. {@code false}: it only serves what other instances on the same
     * backend register (and the test profile keeps the host's networks quiet).
     */
    @WithDefault("true")
    boolean listen();

    /**
     * The interfaces to join 239.255.255.250 on and to search through, by name ({@code eth0,br0}). Unset: every interface
     * that is up, multicast-capable, not loopback and has an IPv4 address; the log names them.
     */
    Optional<List<String>> interfaces();

    /** The SSDP port: 1900 (other values only for tests and labs). */
    @WithDefault("1900")
    int port();

    /** How often M-SEARCH goes out (besides at start): between 10s and 1d. */
    @WithDefault("5m")
    java.time.Duration searchInterval();

    /**
     * How long after its start searches a restarted instance waits for answers before it withdraws its sightings that
     * were not renewed (devices that went away while it was down).
     */
    @WithDefault("6s")
    java.time.Duration resyncWindow();

    /** Services the store holds at most; a new one beyond is refused and counted ({@code too_many_services}). */
    @WithDefault("10000")
    int maxServices();

    /**
     * Services at most with one address (a device announces a USN per device and service type: tens, rarely more); keeps
     * a flood of made-up USNs from one host from filling the store.
     */
    @WithDefault("256")
    int maxServicesPerAddress();

    /**
     * How often each registered service's LOCATION is probed (a GET under the description fetch's rules; 200 = passing).
     * {@code 0s}: no probes, every service stays passing.
     */
    @WithDefault("30s")
    java.time.Duration healthInterval();

    /** A path probed instead of the LOCATION's own, on the same host and port ({@code /health}). */
    Optional<String> healthPath();

    /** A service critical for this long is deregistered (as Consul's deregister_critical_service_after). */
    @WithDefault("5m")
    java.time.Duration deregisterCriticalAfter();

    /** With the Consul backend: how often the agent is brought in line (and TTL checks renewed; their TTL is 3×). */
    @WithDefault("10s")
    java.time.Duration consulSyncInterval();

    enum Backend {
        database, consul
    }
}
