package io.netwarden.dnc.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the agent role: the worker that polls and commands network elements. */
@ConfigMapping(prefix = "netwarden.dnc.agent")
public interface AgentConfig {

    /**
     * Agent name in heartbeats and job records (letters, digits, '_', '-'); default: the node name. Two agents on one
     * host need different names.
     */
    Optional<String> name();

    /** Job pool this agent serves; it takes jobs from the NATS queue {@code dnc.jobs.<pool>}. */
    @WithDefault("default")
    String pool();

    /** How often the agent announces itself on {@code dnc.agents.<agent>.hello}. */
    @WithDefault("5s")
    Duration heartbeatInterval();

    /** Jobs run at the same time at most; more wait until a slot frees up. */
    @WithDefault("64")
    int maxConcurrentJobs();

    /** An element answered within this time counts as reachable in the heartbeat. */
    @WithDefault("10m")
    Duration reachableWindow();
}
