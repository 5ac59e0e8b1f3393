package io.netwarden.dnc.dispatcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the dispatcher role: takes jobs from the API and hands them to agents. */
@ConfigMapping(prefix = "netwarden.dnc.dispatcher")
public interface DispatcherConfig {

    /** Pool that jobs go to unless a job names another; published on {@code dnc.jobs.<pool>}. */
    @WithDefault("default")
    String pool();

    /** How long a job may run on an agent before it is {@code timed_out}, unless the job says otherwise. */
    @WithDefault("60s")
    Duration jobTimeout();

    /** How long a job may wait in the queue for an agent before it is {@code timed_out}. */
    @WithDefault("10m")
    Duration queueTimeout();

    /** An agent silent for this long is considered gone; its running jobs are re-queued. */
    @WithDefault("15s")
    Duration agentTimeout();

    /** A queued job no agent has started within this time is published again (at-least-once delivery). */
    @WithDefault("10s")
    Duration redispatchAfter();

    /** Samples collected by polls are kept this long. */
    @WithDefault("7d")
    Duration sampleRetention();

    /**
     * Most jobs of one element handed to agents at once by this dispatcher; the rest wait, queued, for their turn, so
     * that a flood of jobs against one element (an unreachable one, say) does not hold up the jobs of others.
     */
    @WithDefault("4")
    int maxJobsPerElement();

    /** How often the dispatcher looks for jobs to re-publish, re-queue or time out, and for polls that are due. */
    @WithDefault("1s")
    Duration maintenanceInterval();
}
