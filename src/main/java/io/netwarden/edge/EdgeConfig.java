package io.netwarden.edge;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the edge-node role: acknowledged command/event delivery to edge units (steward). */
@ConfigMapping(prefix = "netwarden.edge")
public interface EdgeConfig {

    /** Node name of the central station that collects errors and events. Env: {@code NETWARDEN_EDGE_CENTRAL}. */
    @WithDefault("central")
    String central();

    /** The steward inbox file; JSON appended to it is sent and the file emptied. Default: {@code <data dir>/inmsg.txt}. */
    Optional<Path> inboxFile();

    /** How long a command may run on the receiving node unless the message says otherwise. */
    @WithDefault("30s")
    Duration defaultTimeout();

    /** How long an undelivered message is retried before it expires, unless the message says otherwise. */
    @WithDefault("1h")
    Duration defaultTtl();
}
