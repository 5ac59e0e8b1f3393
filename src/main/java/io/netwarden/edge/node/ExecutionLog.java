package io.netwarden.edge.node;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.DatabaseText;
import io.netwarden.platform.persistence.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.netwarden.platform.persistence.ChunkedDelete;
import javax.sql.DataSource;

/**
 * What a node has started, kept in its database before anything runs, so that each message id runs at most once:
 *
 * <pre>
 *   begin(node, id) ─ first time ─▶ row "running" ─▶ run ─▶ finish(result) ─▶ row "done" with the result
 *                   └ seen before ─▶ the row: "done" (answer with the stored result) or "running" (the node stopped
 *                                    while it ran: interrupted(…) records it failed, it is not run again)
 * </pre>
 *
 * {@code beginAll} and {@code finishAll} do the same for a group of messages in one transaction each (a node's batch).
 * Thread safety: every call uses its own pooled connection; the primary key (node, message id) decides races.
 */
public final class ExecutionLog {

    /** Output kept in the log (and sent back); a method's own cap is usually lower. */
    static final int MAX_OUTPUT_CHARS = 4 * 1024 * 1024;

    private final DataSource database;

    public ExecutionLog(DataSource database) {
        this.database = database;
    }

    /** A message id's entry: still running (when {@code result} is empty) or done. */
    public record Entry(String messageId, String method, Optional<MethodResult> result) {
        public boolean running() {
            return result.isEmpty();
        }
    }

    /** A message about to run: its key ({@code <fromNode>/<id>}) and method. */
    public record Claim(String messageId, String method) {
    }

    /**
     * Records that {@code messageId} ({@code <fromNode>/<id>}: a message is known by its sender and id) starts now on
     * {@code node}; empty when it is new (run it), else what is known about it (do not run it).
     */
    public Optional<Entry> begin(String node, String messageId, String method) {
        return beginAll(node, List.of(new Claim(messageId, method))).get(messageId);
    }

    /**
     * {@link #begin} for many in one transaction: for each key, empty when it is new (now recorded "running": run it),
     * else what is known about it. A key given twice counts once.
     */
    public Map<String, Optional<Entry>> beginAll(String node, List<Claim> claims) {
        Map<String, Optional<Entry>> out = new HashMap<>();
        if (claims.isEmpty()) {
            return out;
        }
        try (Connection db = database.getConnection()) {
            Map<String, Entry> known = findAll(db, node, claims.stream().map(Claim::messageId).distinct().toList());
            List<Claim> fresh = new ArrayList<>();
            for (Claim claim : claims) {
                if (!out.containsKey(claim.messageId())) {
                    Entry entry = known.get(claim.messageId());
                    out.put(claim.messageId(), Optional.ofNullable(entry));
                    if (entry == null) {
                        fresh.add(claim);
                    }
                }
            }
            if (fresh.isEmpty()) {
                return out;
            }
            db.setAutoCommit(false);
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_execution (node, message_id, method, state,"
                    + " truncated, started_at) VALUES (?, ?, ?, 'running', FALSE, ?)")) {
                Timestamp now = Timestamp.from(Instant.now());
                for (Claim claim : fresh) {
                    insert.setString(1, node);
                    insert.setString(2, claim.messageId());
                    insert.setString(3, claim.method());
                    insert.setTimestamp(4, now);
                    insert.addBatch();
                }
                insert.executeBatch();
                db.commit();
                return out;
            } catch (SQLException e) {
                db.rollback();
                if (!DatabaseErrors.isUniqueViolation(e)) {
                    throw e;
                }
            } finally {
                db.setAutoCommit(true);
            }
            // another writer recorded one of them meanwhile: one at a time, the primary key deciding each
            for (Claim claim : fresh) {
                out.put(claim.messageId(), beginOne(db, node, claim));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    private static Optional<Entry> beginOne(Connection db, String node, Claim claim) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_execution (node, message_id, method, state,"
                + " truncated, started_at) VALUES (?, ?, ?, 'running', FALSE, ?)")) {
            insert.setString(1, node);
            insert.setString(2, claim.messageId());
            insert.setString(3, claim.method());
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
            return Optional.empty();
        } catch (SQLException e) {
            if (!DatabaseErrors.isUniqueViolation(e)) {
                throw e;
            }
        }
        return Optional.ofNullable(findAll(db, node, List.of(claim.messageId())).get(claim.messageId()));
    }

    /** The entry of {@code messageId} on {@code node}, if it ever started there. */
    public Optional<Entry> find(String node, String messageId) {
        try (Connection db = database.getConnection()) {
            return Optional.ofNullable(findAll(db, node, List.of(messageId)).get(messageId));
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    private static Map<String, Entry> findAll(Connection db, String node, List<String> messageIds) throws SQLException {
        Map<String, Entry> found = new HashMap<>();
        if (messageIds.isEmpty()) {
            return found;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(messageIds.size(), "?"));
        try (PreparedStatement read = db.prepareStatement("SELECT message_id, method, state, output, exit_code, truncated,"
                + " error, error_text FROM edge_execution WHERE node = ? AND message_id IN (" + marks + ")")) {
            read.setString(1, node);
            for (int i = 0; i < messageIds.size(); i++) {
                read.setString(i + 2, messageIds.get(i));
            }
            try (ResultSet row = read.executeQuery()) {
                while (row.next()) {
                    String id = row.getString(1);
                    if ("running".equals(row.getString(3))) {
                        found.put(id, new Entry(id, row.getString(2), Optional.empty()));
                        continue;
                    }
                    String output = row.getString(4);
                    Optional<EdgeError> error = Optional.ofNullable(row.getString(7)).flatMap(ExecutionLog::error);
                    found.put(id, new Entry(id, row.getString(2), Optional.of(new MethodResult(output == null ? "" : output,
                            row.getInt(5), row.getBoolean(6), error, row.getString(8) == null ? "" : row.getString(8)))));
                }
            }
        }
        return found;
    }

    private static Optional<EdgeError> error(String code) {
        return Arrays.stream(EdgeError.values()).filter(e -> e.code().equals(code)).findFirst();
    }

    /**
     * Takes back claims of messages that never started (a failure came before their turn in a group): they run when
     * they come again. Only for claims this node made and knows it did not start.
     */
    public void release(String node, List<String> messageIds) {
        if (messageIds.isEmpty()) {
            return;
        }
        try (Connection db = database.getConnection()) {
            Transactions.inTransaction(db, () -> {
                try (PreparedStatement delete = db.prepareStatement(
                        "DELETE FROM edge_execution WHERE node = ? AND message_id = ? AND state = 'running'")) {
                    for (String messageId : messageIds) {
                        delete.setString(1, node);
                        delete.setString(2, messageId);
                        delete.addBatch();
                    }
                    delete.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Records how {@code messageId} ended. */
    public void finish(String node, String messageId, MethodResult result) {
        finishAll(node, Map.of(messageId, result));
    }

    /** {@link #finish} for many, in one transaction. */
    public void finishAll(String node, Map<String, MethodResult> results) {
        if (results.isEmpty()) {
            return;
        }
        try (Connection db = database.getConnection()) {
            Transactions.inTransaction(db, () -> {
                try (PreparedStatement update = db.prepareStatement("UPDATE edge_execution SET state = 'done', output = ?,"
                        + " exit_code = ?, truncated = ?, error = ?, error_text = ?, ended_at = ? WHERE node = ? AND message_id = ?")) {
                    Timestamp now = Timestamp.from(Instant.now());
                    for (Map.Entry<String, MethodResult> entry : results.entrySet()) {
                        MethodResult result = entry.getValue();
                        String output = DatabaseText.storable(result.output(), MAX_OUTPUT_CHARS);
                        update.setString(1, output);
                        update.setInt(2, result.exitCode());
                        update.setBoolean(3, result.truncated() || output.length() < result.output().length());
                        update.setString(4, result.error().map(EdgeError::code).orElse(null));
                        update.setString(5, DatabaseText.storable(result.errorText(), 2000));
                        update.setTimestamp(6, now);
                        update.setString(7, node);
                        update.setString(8, entry.getKey());
                        update.addBatch();
                    }
                    update.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** The result of a message recorded as started and never finished: the node stopped while it ran, or before. */
    public static final MethodResult INTERRUPTED = MethodResult.failed(EdgeError.INTERRUPTED,
            "the node stopped while this ran (or while it waited its turn in a group); it is not run again");

    /** Records that {@code messageId} was cut off by a stop of the node, and returns that result. */
    public MethodResult interrupted(String node, String messageId) {
        finish(node, messageId, INTERRUPTED);
        return INTERRUPTED;
    }

    /**
     * Forgets messages that started before {@code cutoff}; returns how many. Only safe for a cutoff older than any
     * message can come again (the longest ttl): the caller makes sure of that.
     */
    public long deleteStartedBefore(Instant cutoff) {
        return ChunkedDelete.deleteBefore(database, "DELETE FROM edge_execution WHERE (node, message_id) IN (SELECT node,"
                + " message_id FROM edge_execution WHERE started_at < ? FETCH FIRST %d ROWS ONLY)", cutoff);
    }
}
