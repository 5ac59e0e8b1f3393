package io.netwarden.platform.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Deletes old rows a chunk at a time, so that pruning a large table never holds one long transaction or lock:
 *
 * <pre>
 *   deleteBefore(db, "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE at &lt; ? FETCH FIRST %d ROWS ONLY)", cutoff)
 *        ─▶ the statement with the chunk size, cutoff bound to every ?, run until a round deletes less than a chunk
 * </pre>
 *
 * {@code FETCH FIRST … ROWS ONLY} in a sub-select works on PostgreSQL and H2 alike. Thread safety: stateless.
 */
public final class ChunkedDelete {

    /** Rows deleted per statement. */
    public static final int CHUNK = 5000;

    private ChunkedDelete() {
    }

    /**
     * Runs {@code sqlTemplate} (with {@code %d} for the chunk size; every {@code ?} is {@code cutoff}) until it deletes
     * less than a chunk; returns how many rows went.
     */
    public static long deleteBefore(DataSource database, String sqlTemplate, Instant cutoff) {
        String sql = String.format(sqlTemplate, CHUNK);
        int marks = (int) sql.chars().filter(c -> c == '?').count();
        long total = 0;
        try (Connection db = database.getConnection(); PreparedStatement delete = db.prepareStatement(sql)) {
            for (int i = 1; i <= marks; i++) {
                delete.setTimestamp(i, Timestamp.from(cutoff));
            }
            int deleted;
            do {
                deleted = delete.executeUpdate();
                total += deleted;
            } while (deleted >= CHUNK && !Thread.currentThread().isInterrupted());
            return total;
        } catch (SQLException e) {
            throw new IllegalStateException("old rows could not be deleted: " + DatabaseErrors.safeMessage(e));
        }
    }
}
