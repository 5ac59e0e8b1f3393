package io.netwarden.edge.rollouts;

import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.Transactions;
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
 * Rollouts and their nodes in the database (tables {@code edge_rollout}, {@code edge_rollout_node}); a node's state is
 * its message's status in the message log ({@code edge_message}), joined in.
 *
 * <pre>
 *   running ─ wave done within the budget ─▶ running (wave + 1) … ─ last wave done ─▶ succeeded
 *   running ─ failures > maxFailures ─▶ failed          running ─ abort ─▶ aborted
 * </pre>
 *
 * Thread safety: each call is one statement or one transaction on a pooled connection; state changes are guarded by
 * the state they leave (a wave moves on once, a message id is assigned to a node once), so two processes on the same
 * database cannot both advance a rollout.
 */
public final class RolloutStore {

    private final DataSource database;

    public RolloutStore(DataSource database) {
        this.database = database;
    }

    /** A rollout as stored. */
    public record Rollout(String id, String template, String method, String kind, int waveSize, int maxFailures, int waves,
            int wave, String status, String reason, Instant createdAt, Instant finishedAt) {
    }

    /** One node of a rollout, with its message's status ({@code waiting} before it is sent). */
    public record Node(String node, int wave, String messageId, String status, String error) {
    }

    public void create(Rollout rollout, List<String> nodes) {
        try (Connection db = database.getConnection()) {
            Transactions.inTransaction(db, () -> {
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_rollout (id, template, method, kind, wave_size,"
                        + " max_failures, waves, wave, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'running', ?)");
                        PreparedStatement node = db.prepareStatement("INSERT INTO edge_rollout_node (rollout_id, node, position,"
                                + " wave) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, rollout.id());
                    insert.setString(2, rollout.template());
                    insert.setString(3, rollout.method());
                    insert.setString(4, rollout.kind());
                    insert.setInt(5, rollout.waveSize());
                    insert.setInt(6, rollout.maxFailures());
                    insert.setInt(7, rollout.waves());
                    insert.setTimestamp(8, Timestamp.from(rollout.createdAt()));
                    insert.executeUpdate();
                    for (int i = 0; i < nodes.size(); i++) {
                        node.setString(1, rollout.id());
                        node.setString(2, nodes.get(i));
                        node.setInt(3, i);
                        node.setInt(4, i / rollout.waveSize());
                        node.addBatch();
                    }
                    node.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the rollout could not be stored: " + DatabaseErrors.safeMessage(e));
        }
    }

    public Optional<Rollout> find(String id) {
        List<Rollout> found = rollouts(" WHERE id = ?", id, 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    public List<String> running() {
        return rollouts(" WHERE status = 'running'", null, 1000).stream().map(Rollout::id).toList();
    }

    /** Newest first. */
    public List<Rollout> list(int offset, int limit) {
        return rollouts(" ORDER BY created_at DESC, id OFFSET " + Math.max(0, offset) + " ROWS FETCH FIRST "
                + Math.max(1, limit) + " ROWS ONLY", null, limit);
    }

    private List<Rollout> rollouts(String where, String arg, int limit) {
        List<Rollout> rollouts = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT id, template, method, kind, wave_size, max_failures,"
                        + " waves, wave, status, reason, created_at, finished_at FROM edge_rollout" + where)) {
            if (arg != null) {
                find.setString(1, arg);
            }
            find.setMaxRows(limit);
            try (ResultSet row = find.executeQuery()) {
                while (row.next()) {
                    rollouts.add(new Rollout(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getInt(5), row.getInt(6), row.getInt(7), row.getInt(8), row.getString(9), row.getString(10),
                            row.getTimestamp(11).toInstant(),
                            row.getTimestamp(12) == null ? null : row.getTimestamp(12).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the rollouts could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return rollouts;
    }

    /** The rollout's nodes in their order, each with its message's status; one wave only when {@code wave} ≥ 0. */
    public List<Node> nodes(String id, int wave) {
        List<Node> nodes = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT n.node, n.wave, n.message_id, m.status, m.error"
                        + " FROM edge_rollout_node n LEFT JOIN edge_message m ON m.id = n.message_id"
                        + " WHERE n.rollout_id = ?" + (wave >= 0 ? " AND n.wave = ?" : "") + " ORDER BY n.position")) {
            find.setString(1, id);
            if (wave >= 0) {
                find.setInt(2, wave);
            }
            try (ResultSet row = find.executeQuery()) {
                while (row.next()) {
                    String status = row.getString(3) == null ? "waiting" : row.getString(4) == null ? "sending" : row.getString(4);
                    nodes.add(new Node(row.getString(1), row.getInt(2), row.getString(3), status, row.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the rollout could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return nodes;
    }

    /** Failed and expired messages of the rollout so far. */
    public int failures(String id) {
        try (Connection db = database.getConnection();
                PreparedStatement count = db.prepareStatement("SELECT COUNT(*) FROM edge_rollout_node n JOIN edge_message m"
                        + " ON m.id = n.message_id WHERE n.rollout_id = ? AND m.status IN ('failed', 'expired')")) {
            count.setString(1, id);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the rollout could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Gives a node its message id, once; false when it already has one (another round was first). */
    public boolean assign(String id, String node, String messageId) {
        return update("UPDATE edge_rollout_node SET message_id = ? WHERE rollout_id = ? AND node = ? AND message_id IS NULL",
                messageId, id, node);
    }

    /** Moves on from {@code wave}, once. */
    public boolean nextWave(String id, int wave) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_rollout SET wave = wave + 1 WHERE id = ?"
                        + " AND wave = ? AND status = 'running'")) {
            update.setString(1, id);
            update.setInt(2, wave);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the rollout could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Ends a running rollout ({@code succeeded}, {@code failed} or {@code aborted}); false when it already ended. */
    public boolean finish(String id, String status, String reason, Instant at) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_rollout SET status = ?, reason = ?, finished_at = ?"
                        + " WHERE id = ? AND status = 'running'")) {
            update.setString(1, status);
            update.setString(2, reason);
            update.setTimestamp(3, Timestamp.from(at));
            update.setString(4, id);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the rollout could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    private boolean update(String sql, String... args) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                update.setString(i + 1, args[i]);
            }
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the rollout could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Deletes rollouts that finished before {@code cutoff}, with their nodes; returns how many rollouts. */
    public long deleteFinishedBefore(Instant cutoff) {
        ChunkedDelete.deleteBefore(database, "DELETE FROM edge_rollout_node WHERE (rollout_id, node) IN (SELECT n.rollout_id,"
                + " n.node FROM edge_rollout_node n JOIN edge_rollout r ON r.id = n.rollout_id WHERE r.finished_at < ?"
                + " FETCH FIRST %d ROWS ONLY)", cutoff);
        return ChunkedDelete.deleteBefore(database, "DELETE FROM edge_rollout WHERE id IN (SELECT id FROM edge_rollout"
                + " WHERE finished_at < ? FETCH FIRST %d ROWS ONLY)", cutoff);
    }
}
