package io.netwarden.platform.lifecycle;

import io.netwarden.platform.Role;
import java.time.Duration;

/**
 * The running part of a role: listeners, subscriptions, schedulers. Implementations are CDI beans; the platform
 * {@link Lifecycle} starts them only when their role is active, calls {@link #resync} after connectivity comes back and
 * stops them on shutdown. They must not start anything on their own (no {@code @Startup}, no {@code @Scheduled}).
 */
public interface RoleService {

    Role role();

    /** Services start in ascending order and stop in descending order. */
    default int order() {
        return 100;
    }

    /** Opens listeners and subscriptions. A failure stops the process: a node must not run half a role. */
    void start() throws Exception;

    /**
     * Brings the service back in line after an outage of what it depends on (NATS reconnect, database back): re-send
     * what may have been lost, reload what may have changed.
     *
     * @param reason which connection came back, for logs
     */
    default void resync(String reason) {
    }

    /**
     * Stops taking new work and waits at most {@code drain} for in-flight work to finish.
     */
    default void stop(Duration drain) {
    }

    /** Name in logs and health details. */
    default String name() {
        return getClass().getSimpleName().replace("_Subclass", "").replace("_ClientProxy", "");
    }
}
