package io.netwarden.edge.node;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.methods.MethodResult;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.DatabaseText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
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
 * Thread safety: every call is its own statement on a pooled connection; the primary key (node, message id) decides
 * races.
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

    /**
     * Records that {@code messageId} ({@code <fromNode>/<id>}: a message is known by its sender and id) starts now on
     * {@code node}; empty when it is new (run it), else what is known about
     * it (do not run it).
     */
    public Optional<Entry> begin(String node, String messageId, String method) {
        try (Connection db = database.getConnection()) {
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_execution (node, message_id, method, state,"
                    + " truncated, started_at) VALUES (?, ?, ?, 'running', FALSE, ?)")) {
                insert.setString(1, node);
                insert.setString(2, messageId);
                insert.setString(3, method);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.executeUpdate();
                return Optional.empty();
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
            return find(db, node, messageId);
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** The entry of {@code messageId} on {@code node}, if it ever started there. */
    public Optional<Entry> find(String node, String messageId) {
        try (Connection db = database.getConnection()) {
            return find(db, node, messageId);
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    private static Optional<Entry> find(Connection db, String node, String messageId) throws SQLException {
        try (PreparedStatement read = db.prepareStatement("SELECT method, state, output, exit_code, truncated, error, error_text"
                + " FROM edge_execution WHERE node = ? AND message_id = ?")) {
            read.setString(1, node);
            read.setString(2, messageId);
            try (ResultSet row = read.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                if ("running".equals(row.getString(2))) {
                    return Optional.of(new Entry(messageId, row.getString(1), Optional.empty()));
                }
                String output = row.getString(3);
                Optional<EdgeError> error = Optional.ofNullable(row.getString(6)).flatMap(ExecutionLog::error);
                return Optional.of(new Entry(messageId, row.getString(1), Optional.of(new MethodResult(output == null ? "" : output,
                        row.getInt(4), row.getBoolean(5), error, row.getString(7) == null ? "" : row.getString(7)))));
            }
        }
    }

    private static Optional<EdgeError> error(String code) {
        return Arrays.stream(EdgeError.values()).filter(e -> e.code().equals(code)).findFirst();
    }

    /** Records how {@code messageId} ended. */
    public void finish(String node, String messageId, MethodResult result) {
        String output = DatabaseText.storable(result.output().length() > MAX_OUTPUT_CHARS
                ? result.output().substring(0, MAX_OUTPUT_CHARS) : result.output());
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_execution SET state = 'done', output = ?, exit_code = ?,"
                        + " truncated = ?, error = ?, error_text = ?, ended_at = ? WHERE node = ? AND message_id = ?")) {
            update.setString(1, output);
            update.setInt(2, result.exitCode());
            update.setBoolean(3, result.truncated() || output.length() < result.output().length());
            update.setString(4, result.error().map(EdgeError::code).orElse(null));
            String text = DatabaseText.storable(result.errorText());
            update.setString(5, text.length() > 2000 ? text.substring(0, 2000) : text);
            update.setTimestamp(6, Timestamp.from(Instant.now()));
            update.setString(7, node);
            update.setString(8, messageId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the execution log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Records that {@code messageId} was cut off by a stop of the node, and returns that result. */
    public MethodResult interrupted(String node, String messageId) {
        MethodResult result = MethodResult.failed(EdgeError.INTERRUPTED,
                "the node stopped while this ran; it is not run again");
        finish(node, messageId, result);
        return result;
    }
}
