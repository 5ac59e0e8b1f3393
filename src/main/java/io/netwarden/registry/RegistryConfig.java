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

    /** Where registered services are stored: {@code database} (the platform database) or {@code consul}. */
    @WithDefault("database")
    Backend backend();

    /** Whitelist by tag: {@code netwarden.registry.tags."RackHD"=urn1,urn2}. */
    Map<String, List<String>> tags();

    /** A {@code registry.json} in the Service Registry's format ({@code {"ssdp":{"tags":{"Tag":["urn",…]}}}}), read at start. */
    Optional<Path> configFile();

    enum Backend {
        database, consul
    }
}
