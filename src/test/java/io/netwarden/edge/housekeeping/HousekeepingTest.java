package io.netwarden.edge.housekeeping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.central.MessageLog;
import io.netwarden.edge.errors.ErrorLog;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.edge.node.ExecutionLog;
import io.netwarden.edge.nodes.NodeRegistry;
import io.netwarden.edge.rollouts.RolloutStore;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Housekeeping against the real database: what is old goes, what is young or still open stays. */
@QuarkusTest
class HousekeepingTest {

    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Duration MAX_TTL = Duration.ofDays(7);

    @Inject
    ActiveDatabase database;

    @TempDir
    Path transfers;

    private String unique;
    private MessageLog messages;
    private ExecutionLog executions;
    private ErrorLog errors;
    private RolloutStore rollouts;
    private NodeRegistry nodes;

    @BeforeEach
    void logs() {
        unique = UUID.randomUUID().toString().substring(0, 8);
        messages = new MessageLog(database.dataSource());
        executions = new ExecutionLog(database.dataSource());
        errors = new ErrorLog(database.dataSource());
        rollouts = new RolloutStore(database.dataSource());
        nodes = new NodeRegistry(database.dataSource(), 10000);
    }

    private Housekeeping keeping(Duration forgetNodesAfter) {
        return new Housekeeping(messages, executions, Optional.of(errors), rollouts, Optional.of(nodes), transfers, RETENTION,
                MAX_TTL, forgetNodesAfter, Clock.systemUTC());
    }

    private EdgeMessage message(String id) {
        return new EdgeMessage(id, "central", "ship-" + unique, EdgeMessage.Kind.command, "ping", List.of(),
                Duration.ofSeconds(30), Instant.now().plus(Duration.ofHours(1)), Optional.empty(), Optional.empty());
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection db = database.dataSource().getConnection(); PreparedStatement s = db.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i] instanceof Instant at ? Timestamp.from(at) : args[i]);
            }
            s.executeUpdate();
        }
    }

    @Test
    void finishedMessagesExecutionsErrorsAndRolloutsOlderThanTheRetentionGoOpenAndYoungOnesStay() throws Exception {
        // Given: an answered and a pending message, an execution-log entry, error-log entries and a finished rollout
        String acked = "acked-" + unique;
        String pending = "pending-" + unique;
        messages.insertAll(List.of(new MessageLog.NewMessage(message(acked), 0), new MessageLog.NewMessage(message(pending), 0)),
                List.of(new MessageLog.Submission("key-" + unique, "0".repeat(64), List.of(acked, pending))));
        assertTrue(messages.acked(new EdgeAck(acked, "ship-" + unique, true, "pong", 0, false, Optional.empty(), "", false,
                Optional.empty(), Optional.empty())));
        assertEquals(Optional.empty(), executions.begin("ship-" + unique, "central/" + acked, "ping"));
        executions.finish("ship-" + unique, "central/" + acked, MethodResult.ok("pong", 0, false));
        Instant now = Instant.now();
        errors.add("ship-" + unique, "old-" + unique, "ping", EdgeError.FAILED.code(), "old", now.minus(Duration.ofDays(40)));
        errors.add("ship-" + unique, "new-" + unique, "ping", EdgeError.FAILED.code(), "new", now.minus(Duration.ofDays(1)));
        sql("INSERT INTO edge_rollout (id, template, method, kind, wave_size, max_failures, waves, wave, status, created_at,"
                + " finished_at) VALUES (?, '{}', 'ping', 'command', 1, 0, 1, 1, 'done', ?, ?)", "r-" + unique, now, now);
        sql("INSERT INTO edge_rollout_node (rollout_id, node, position, wave) VALUES (?, ?, 0, 1)", "r-" + unique, "ship-" + unique);
        // a rollout still running counts its nodes' outcomes from their messages: those stay
        String inRollout = "rolling-" + unique;
        messages.insertAll(List.of(new MessageLog.NewMessage(message(inRollout), 0)));
        assertTrue(messages.acked(new EdgeAck(inRollout, "ship-" + unique, true, "pong", 0, false, Optional.empty(), "",
                false, Optional.empty(), Optional.empty())));
        // (it is in its second wave, 0-based wave 1, whose message is still pending, so that the running app's rollout
        // engine, which advances every running rollout, keeps it running while this test looks)
        sql("INSERT INTO edge_rollout (id, template, method, kind, wave_size, max_failures, waves, wave, status, created_at)"
                + " VALUES (?, ?, 'ping', 'command', 1, 0, 2, 1, 'running', ?)", "run-" + unique,
                "{\"toNode\":\"x\",\"data\":[],\"commandOrEvent\":\"command\",\"method\":\"ping\",\"ttl\":\"1h\"}", now);
        sql("INSERT INTO edge_rollout_node (rollout_id, node, position, wave, message_id) VALUES (?, ?, 0, 0, ?)",
                "run-" + unique, "ship-" + unique, inRollout);
        sql("INSERT INTO edge_rollout_node (rollout_id, node, position, wave, message_id) VALUES (?, ?, 1, 1, ?)",
                "run-" + unique, "ghost-" + unique, pending);

        // When: a day later, nothing is old enough
        Housekeeping.Removed early = keeping(Duration.ZERO).runOnce(now.plus(Duration.ofDays(1)));
        assertTrue(messages.find(acked).isPresent());
        assertTrue(executions.find("ship-" + unique, "central/" + acked).isPresent());
        assertTrue(rollouts.find("r-" + unique).isPresent());
        assertEquals(List.of(acked, pending), messages.submission("key-" + unique).orElseThrow().messageIds());
        assertEquals(0, early.rollouts());
        // the 40-day-old error is past the retention already; the one from yesterday is not
        assertEquals(List.of("new-" + unique), errors.list(Optional.of("ship-" + unique), 0, 10).stream()
                .map(ErrorLog.Entry::messageId).toList());

        // When: 31 days later
        Housekeeping.Removed late = keeping(Duration.ZERO).runOnce(now.plus(Duration.ofDays(31)));

        // Then: the answered message, the execution, the errors and the rollout are gone; the pending message stays
        assertFalse(messages.find(acked).isPresent());
        assertTrue(messages.find(pending).isPresent(), "a pending message ends by its ttl, not by housekeeping");
        assertTrue(messages.find(inRollout).isPresent(), "the message of a rollout still running stays");
        assertTrue(rollouts.find("run-" + unique).isPresent());
        assertFalse(executions.find("ship-" + unique, "central/" + acked).isPresent());
        assertEquals(List.of(), errors.list(Optional.of("ship-" + unique), 0, 10));
        assertFalse(rollouts.find("r-" + unique).isPresent());
        assertTrue(messages.submission("key-" + unique).isEmpty(), "its idempotency key is forgotten too");
        assertTrue(early.errors() >= 1 && late.messages() >= 1 && late.executions() >= 1 && late.errors() >= 1
                && late.rollouts() >= 1, early + " " + late);
    }

    @Test
    void longOfflineNodesAreForgottenOnlyWhenAsked() throws Exception {
        // the online node's last hello is dated an hour ahead, so that the running app's central, which marks nodes offline
        // after missed hellos (seconds in the test profile), leaves it online however slowly this test runs; the
        // housekeeping runs 100 days later, when it is unseen for about as long as the offline one
        Instant now = Instant.now();
        String away = "away-" + unique;
        String online = "online-" + unique;
        for (String name : List.of(away, online)) {
            Instant seen = name.equals(online) ? now.plus(Duration.ofHours(1)) : now.minus(Duration.ofDays(100));
            sql("INSERT INTO edge_node (name, online, first_seen, last_seen, version, roles, key_fingerprint, public_key)"
                    + " VALUES (?, ?, ?, ?, 'v', 'edge-node', 'SHA256:x', 'x')", name, name.equals(online), seen, seen);
        }
        assertTrue(keeping(Duration.ZERO).runOnce(now.plus(Duration.ofDays(100))).nodes().isEmpty(), "0: never");
        List<String> forgotten = keeping(Duration.ofDays(90)).runOnce(now.plus(Duration.ofDays(100))).nodes();
        assertTrue(forgotten.contains(away), forgotten.toString());
        assertFalse(forgotten.contains(online), "only offline nodes are forgotten");
        List<String> known = nodes.list().stream().map(NodeRegistry.Node::name).toList();
        assertFalse(known.contains(away));
        assertTrue(known.contains(online));
    }

    @Test
    void unfinishedCopyPartsLongerUntouchedThanTheLongestTtlGo() throws Exception {
        Path stale = Files.write(transfers.resolve("t1.part"), new byte[] {1});
        Path fresh = Files.write(transfers.resolve("t2.part"), new byte[] {2});
        Path other = Files.write(transfers.resolve("notes.txt"), new byte[] {3});
        Instant now = Instant.now();
        Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofDays(8))));
        Files.setLastModifiedTime(other, FileTime.from(now.minus(Duration.ofDays(8))));
        assertEquals(1, keeping(Duration.ZERO).runOnce(now).parts());
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.exists(other), "only parts");
    }

    @Test
    void aRetentionNotLongerThanTheLongestTtlIsRefusedSayingWhy() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new Housekeeping(messages,
                executions, Optional.empty(), rollouts, Optional.empty(), transfers, Duration.ofDays(7), MAX_TTL, Duration.ZERO,
                Clock.systemUTC()));
        assertTrue(refused.getMessage().contains("netwarden.edge.retention") && refused.getMessage().contains("max-ttl"),
                refused.getMessage());
    }
}
