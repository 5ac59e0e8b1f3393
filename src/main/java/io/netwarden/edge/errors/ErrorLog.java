package io.netwarden.edge.errors;

import io.netwarden.platform.persistence.DatabaseErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.netwarden.platform.persistence.ChunkedDelete;
import javax.sql.DataSource;

/**
 * The central's error log (table {@code edge_error}): one entry per message that a node refused or failed, or that
 * expired undelivered. Thread safety: each call is one statement on a pooled connection.
 */
public final class ErrorLog {

    private final DataSource database;

    public ErrorLog(DataSource database) {
        this.database = database;
    }

    /** An entry as the API shows it. */
    public record Entry(long id, String node, String messageId, String method, String error, String errorText, Instant at) {
    }

    public void add(String node, String messageId, String method, String error, String text, Instant at) {
        try (Connection db = database.getConnection();
                PreparedStatement insert = db.prepareStatement("INSERT INTO edge_error (node, message_id, method, error,"
                        + " error_text, at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, node);
            insert.setString(2, messageId);
            insert.setString(3, method);
            insert.setString(4, error);
            insert.setString(5, text.length() > 2000 ? text.substring(0, 2000) : text);
            insert.setTimestamp(6, Timestamp.from(at));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the error log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Newest first. */
    public List<Entry> list(Optional<String> node, int offset, int limit) {
        List<Entry> entries = new ArrayList<>();
        String sql = "SELECT id, node, message_id, method, error, error_text, at FROM edge_error"
                + (node.isPresent() ? " WHERE node = ?" : "") + " ORDER BY at DESC, id DESC OFFSET " + Math.max(0, offset)
                + " ROWS FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY";
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement(sql)) {
            if (node.isPresent()) {
                find.setString(1, node.get());
            }
            try (ResultSet row = find.executeQuery()) {
                while (row.next()) {
                    entries.add(new Entry(row.getLong(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5), row.getString(6), row.getTimestamp(7).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the error log could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return entries;
    }

    /** Deletes entries from before {@code cutoff}; returns how many. */
    public long deleteBefore(Instant cutoff) {
        return ChunkedDelete.deleteBefore(database, "DELETE FROM edge_error WHERE id IN (SELECT id FROM edge_error"
                + " WHERE at < ? FETCH FIRST %d ROWS ONLY)", cutoff);
    }
}
