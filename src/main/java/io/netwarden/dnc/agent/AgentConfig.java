package io.netwarden.dnc.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    /**
     * A job still running after this long is reported as running; a job done sooner is reported once, its final
     * update carrying the start time (the dispatcher records both transitions from it). Provisions always report at
     * once, so a provision whose agent dies is known to have started. 0: always report at once.
     */
    @WithDefault("200ms")
    Duration runningReportDelay();

    /** An element answered within this time counts as reachable in the heartbeat. */
    @WithDefault("10m")
    Duration reachableWindow();

    /** Telnet sessions and device profiles. */
    Telnet telnet();

    interface Telnet {
        /** A session unused this long is closed. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** Time allowed to connect (login gets this plus the command timeout). */
        @WithDefault("10s")
        Duration connectTimeout();

        /** Time allowed for one command's prompt to come back (within the job's own timeout). */
        @WithDefault("30s")
        Duration commandTimeout();

        /**
         * Device profiles by {@code "<vendor>/<model>"} or {@code "<vendor>"}, e.g.
         * {@code netwarden.dnc.agent.telnet.profiles."cisco/ios".paging-off=terminal length 0}. Unset parts keep the
         * generic profile's value. Patterns are Java regular expressions.
         */
        Map<String, Profile> profiles();

        /**
         * How long a profile read from Consul KV {@code elements/<vendor>/<model>} is used before Consul is asked again
         * (only when {@code netwarden.consul.url} is set).
         */
        @WithDefault("30s")
        Duration consulRefresh();
    }

    interface Profile {
        /** Matches the shell prompt at the end of the output. */
        Optional<String> prompt();

        Optional<String> loginPrompt();

        Optional<String> passwordPrompt();

        /** Matches a pager prompt at the end of the output; answered with a space. */
        Optional<String> pager();

        /** Matches what the device says when a login is refused. */
        Optional<String> loginFailure();

        /** A command sent once after login to switch paging off. */
        Optional<String> pagingOff();

        /** Output matching any of these fails the command ({@code command_error}). */
        Optional<List<String>> errors();
    }
}
