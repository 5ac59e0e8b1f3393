package io.netwarden.edge;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** Longest time to live a message may ask for (also how long the streams keep messages). */
    @WithDefault("7d")
    Duration maxTtl();

    /** How often each node says hello; the central marks a node offline after three missed hellos. */
    @WithDefault("30s")
    Duration helloInterval();

    /**
     * The most nodes the central's list takes; hellos of further new nodes are ignored (and logged) until nodes are
     * removed. Also the most copies of a broadcast.
     */
    @WithDefault("10000")
    int maxNodes();

    /** How often undelivered messages are published again and expired ones marked. */
    @WithDefault("1s")
    Duration sweepInterval();

    /**
     * A delivered message (the node sent its receipt) without an answer by its timeout plus this is sent again, up to its
     * {@code retries}; each retry waits twice as long (at most 5 minutes), then the message fails with {@code no_answer}.
     */
    @WithDefault("5s")
    Duration retryBackoff();

    /**
     * How long finished messages, execution-log entries, error-log entries and finished rollouts are kept (checked
     * hourly). Longer than {@code max-ttl}: a node must remember a message as long as it may come again.
     */
    @WithDefault("30d")
    Duration retention();

    /**
     * On the central: a node offline and unseen for this long is removed from the node list, and its key pinned anew at
     * its next hello (as after {@code DELETE /api/v1/edge/nodes/{name}}). {@code 0}: never (the default; ships may be
     * away for months, and a pin is what keeps another process from taking a node's name).
     */
    @WithDefault("0s")
    Duration forgetNodesAfter();

    /** Signing of commands. */
    Signing signing();

    /** The shellCommand method. */
    Shell shell();

    /** Transfers in progress ({@code copyFile} parts) under the data directory. */
    String TRANSFERS_DIR = "edge-transfers";

    /** The file methods (tailFile, copyFile, textLogging). */
    Files files();

    interface Signing {
        /**
         * PEM PKCS#8 Ed25519 key ({@code openssl genpkey -algorithm ed25519}) this node signs with. Unset: generated at
         * first start as {@code <data dir>/edge-signing.pem}, its public key beside it as {@code edge-signing.pub.pem}.
         */
        Optional<Path> privateKeyFile();

        /**
         * PEM public keys whose commands this node runs (one or more {@code BEGIN PUBLIC KEY} blocks). The node's own key
         * is always trusted (the all-in-one process sends to itself); other than that, none: no command from elsewhere.
         */
        Optional<Path> trustedKeysFile();
    }

    interface Shell {
        /** Executables shellCommand may run, compared with argv[0] exactly; empty: none. */
        Optional<List<String>> allow();

        /** Output kept per command; the rest is dropped and the result marked truncated. */
        @WithDefault("1048576")
        int maxOutput();
    }

    interface Files {
        /**
         * Directories tailFile may read from, copyFile may write to on the receiving node and send from on the sending
         * one (real paths; symbolic links cannot lead out). Empty: none.
         */
        Optional<List<Path>> allow();

        /** Largest file copyFile sends or takes. */
        @WithDefault("104857600")
        long maxCopyBytes();

        /** Largest per-sender log file textLogging appends to. */
        @WithDefault("104857600")
        long maxLogBytes();
    }
}
