package io.netwarden.edge.housekeeping;

import io.netwarden.edge.central.MessageLog;
import io.netwarden.edge.errors.ErrorLog;
import io.netwarden.edge.node.ExecutionLog;
import io.netwarden.edge.nodes.NodeRegistry;
import io.netwarden.edge.rollouts.RolloutStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What an edge node keeps, kept bounded: once an hour (and a minute after the start),
 *
 * <pre>
 *   message log      finished messages (acked │ failed │ expired) created before now − retention
 *   idempotency keys of API requests stored before now − retention
 *   execution log    entries started before now − retention  (retention &gt; max-ttl: such a message cannot come again)
 *   error log        entries before now − retention                        (central)
 *   rollouts         finished before now − retention
 *   node list        offline and unseen for forget-nodes-after (0: never)  (central)
 *   transfers        copyFile parts untouched for longer than max-ttl (their chunks can no longer come)
 * </pre>
 *
 * Each step is logged when it removed something; a step that fails is logged and the others still run. Thread safety:
 * one virtual thread runs the rounds; {@link #runOnce} may also be called directly (tests).
 */
public final class Housekeeping implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);
    static final Duration EVERY = Duration.ofHours(1);
    static final Duration FIRST_AFTER = Duration.ofMinutes(1);

    private final MessageLog messages;
    private final ExecutionLog executions;
    private final Optional<ErrorLog> errors;
    private final RolloutStore rollouts;
    private final Optional<NodeRegistry> nodes;
    private final Path transfers;
    private final Duration retention;
    private final Duration maxTtl;
    private final Duration forgetNodesAfter;
    private final Clock clock;
    private Thread rounds;

    /** What was removed in one round. */
    public record Removed(long messages, long executions, long errors, long rollouts, List<String> nodes, int parts) {
    }

    /**
     * @param errors the error log (central only)
     * @param nodes the node list (central only)
     * @throws IllegalArgumentException when {@code retention} is not longer than {@code maxTtl}
     */
    public Housekeeping(MessageLog messages, ExecutionLog executions, Optional<ErrorLog> errors, RolloutStore rollouts,
            Optional<NodeRegistry> nodes, Path transfers, Duration retention, Duration maxTtl, Duration forgetNodesAfter,
            Clock clock) {
        if (retention.compareTo(maxTtl) <= 0) {
            throw new IllegalArgumentException("netwarden.edge.retention (" + retention + ") must be longer than"
                    + " netwarden.edge.max-ttl (" + maxTtl + "): a node must remember a message as long as it may come again");
        }
        if (forgetNodesAfter.isNegative()) {
            throw new IllegalArgumentException("netwarden.edge.forget-nodes-after must not be negative (0: never)");
        }
        this.messages = messages;
        this.executions = executions;
        this.errors = errors;
        this.rollouts = rollouts;
        this.nodes = nodes;
        this.transfers = transfers;
        this.retention = retention;
        this.maxTtl = maxTtl;
        this.forgetNodesAfter = forgetNodesAfter;
        this.clock = clock;
    }

    public synchronized void start() {
        if (rounds == null) {
            rounds = Thread.ofVirtual().name("edge-housekeeping").start(this::loop);
        }
    }

    @Override
    public synchronized void close() {
        if (rounds != null) {
            rounds.interrupt(); // only ever interrupted while it sleeps between rounds: see loop
            rounds = null;
        }
    }

    private void loop() {
        Duration wait = FIRST_AFTER;
        while (true) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            // the round itself runs on a thread nobody interrupts: an interrupt during file I/O would close an
            // embedded H2 database's file under it
            Thread round = Thread.ofVirtual().name("edge-housekeeping-round").start(() -> runOnce(clock.instant()));
            try {
                round.join();
            } catch (InterruptedException e) {
                return;
            }
            wait = EVERY;
        }
    }

    /** One round; what it removed. */
    public Removed runOnce(Instant now) {
        Instant cutoff = now.minus(retention);
        long m = step("messages", () -> messages.deleteFinishedBefore(cutoff));
        step("idempotency keys", () -> messages.deleteSubmissionsBefore(cutoff));
        long x = step("execution-log entries", () -> executions.deleteStartedBefore(cutoff));
        long e = errors.map(log -> step("error-log entries", () -> log.deleteBefore(cutoff))).orElse(0L);
        long r = step("rollouts", () -> rollouts.deleteFinishedBefore(cutoff));
        List<String> forgotten = List.of();
        if (nodes.isPresent() && !forgetNodesAfter.isZero()) {
            try {
                forgotten = nodes.get().forgetOfflineBefore(now.minus(forgetNodesAfter));
                if (!forgotten.isEmpty()) {
                    LOG.infof("edge housekeeping: %d node(s) offline and unseen for %s forgotten (their keys are pinned"
                            + " again at their next hello): %s", forgotten.size(), forgetNodesAfter,
                            forgotten.size() > 20 ? forgotten.subList(0, 20) + " …" : forgotten);
                }
            } catch (RuntimeException ex) {
                LOG.warnf("edge housekeeping: nodes not forgotten: %s", ex.getMessage());
            }
        }
        int parts = staleParts(now.minus(maxTtl));
        return new Removed(m, x, e, r, forgotten, parts);
    }

    private long step(String what, java.util.function.LongSupplier delete) {
        try {
            long removed = delete.getAsLong();
            if (removed > 0) {
                LOG.infof("edge housekeeping: %d %s older than %s deleted", removed, what, retention);
            }
            return removed;
        } catch (RuntimeException e) {
            LOG.warnf("edge housekeeping: %s not deleted: %s", what, e.getMessage());
            return 0;
        }
    }

    /** Removes {@code *.part} files in the transfers directory not written since {@code cutoff}. */
    private int staleParts(Instant cutoff) {
        if (!Files.isDirectory(transfers)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(transfers, "*.part")) {
            for (Path part : parts) {
                try {
                    if (Files.isRegularFile(part, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                        Files.delete(part);
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.warnf("edge housekeeping: %s not removed: %s", part.getFileName(), e.getClass().getSimpleName());
                }
            }
        } catch (IOException e) {
            LOG.warnf("edge housekeeping: %s not read: %s", transfers, e.getClass().getSimpleName());
        }
        if (removed > 0) {
            LOG.infof("edge housekeeping: %d unfinished copyFile part(s) untouched for %s removed", removed, maxTtl);
        }
        return removed;
    }
}
