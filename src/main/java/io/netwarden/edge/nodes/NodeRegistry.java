package io.netwarden.edge.nodes;

import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.persistence.DatabaseErrors;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The central's node list (table {@code edge_node}), fed by hellos.
 *
 * <pre>
 *   hello (self-signed, sent within the last 10 min) ─ unknown node ─▶ added, its key pinned      ─▶ NEW
 *                                                   ├ same key     ─▶ last seen, version, roles   ─▶ SEEN (or BACK)
 *                                                   └ other key    ─▶ ignored, warned             ─▶ KEY_CHANGED
 *   sweep: online and not heard of for the offline-after time ─▶ offline
 * </pre>
 *
 * A node whose key really changed (a reinstall) is removed by an operator and pinned again at its next hello. Thread
 * safety: each call is its own statements on a pooled connection; two hellos of one node at once both write the same.
 */
public final class NodeRegistry {

    /** How old a hello may be and still count (edge clocks drift; replays of older ones refresh nothing). */
    static final Duration MAX_HELLO_AGE = Duration.ofMinutes(10);

    private final DataSource database;
    /** Pinned keys by node, read once: a pin changes only when the node is removed (which drops it here too). */
    private final Map<String, PublicKey> pinned = new ConcurrentHashMap<>();

    private final int maxNodes;

    /** @param maxNodes the most nodes the list takes (whoever may publish hellos could otherwise grow it without end) */
    public NodeRegistry(DataSource database, int maxNodes) {
        this.database = database;
        this.maxNodes = maxNodes;
    }

    /** The key pinned at the node's first hello; empty when the node is unknown. */
    public Optional<PublicKey> publicKey(String name) {
        PublicKey known = pinned.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT public_key FROM edge_node WHERE name = ?")) {
            find.setString(1, name);
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                PublicKey key = Ed25519Key.publicKey(Base64.getDecoder().decode(row.getString(1)));
                pinned.put(name, key);
                return Optional.of(key);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Whether the node is known and online (heard of within the missed hellos allowed). */
    public boolean online(String name) {
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT online FROM edge_node WHERE name = ?")) {
            find.setString(1, name);
            try (ResultSet row = find.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** What a hello did. */
    public enum Outcome {
        NEW, SEEN, BACK, KEY_CHANGED, STALE, BAD_SIGNATURE,
        /** A new node, but the list holds {@code netwarden.edge.max-nodes} already: not added. */
        FULL
    }

    /** A node as the API shows it. */
    public record Node(String name, boolean online, Instant firstSeen, Instant lastSeen, String version, List<String> roles,
            String keyFingerprint) {
    }

    public Outcome seen(Hello hello, Instant now) {
        if (!hello.selfSigned()) {
            return Outcome.BAD_SIGNATURE;
        }
        if (hello.sentAt().isBefore(now.minus(MAX_HELLO_AGE)) || hello.sentAt().isAfter(now.plus(MAX_HELLO_AGE))) {
            return Outcome.STALE;
        }
        String key = Base64.getEncoder().encodeToString(hello.publicKey().getEncoded());
        try (Connection db = database.getConnection()) {
            Boolean wasOnline = null;
            String pinned = null;
            try (PreparedStatement find = db.prepareStatement("SELECT online, public_key FROM edge_node WHERE name = ?")) {
                find.setString(1, hello.node());
                try (ResultSet row = find.executeQuery()) {
                    if (row.next()) {
                        wasOnline = row.getBoolean(1);
                        pinned = row.getString(2);
                    }
                }
            }
            if (pinned == null) {
                try (PreparedStatement count = db.prepareStatement("SELECT COUNT(*) FROM edge_node");
                        ResultSet rows = count.executeQuery()) {
                    if (rows.next() && rows.getLong(1) >= maxNodes) {
                        return Outcome.FULL;
                    }
                }
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_node (name, online, first_seen, last_seen,"
                        + " version, roles, key_fingerprint, public_key) VALUES (?, TRUE, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, hello.node());
                    insert.setTimestamp(2, Timestamp.from(now));
                    insert.setTimestamp(3, Timestamp.from(now));
                    insert.setString(4, hello.version());
                    insert.setString(5, String.join(",", hello.roles()));
                    insert.setString(6, hello.fingerprint());
                    insert.setString(7, key);
                    insert.executeUpdate();
                    return Outcome.NEW;
                } catch (SQLException raced) {
                    if (!DatabaseErrors.isUniqueViolation(raced)) {
                        throw raced;
                    }
                    return Outcome.SEEN; // the same node's other hello got there first
                }
            }
            if (!pinned.equals(key)) {
                return Outcome.KEY_CHANGED;
            }
            try (PreparedStatement update = db.prepareStatement("UPDATE edge_node SET online = TRUE, last_seen = ?, version = ?,"
                    + " roles = ? WHERE name = ?")) {
                update.setTimestamp(1, Timestamp.from(now));
                update.setString(2, hello.version());
                update.setString(3, String.join(",", hello.roles()));
                update.setString(4, hello.node());
                update.executeUpdate();
            }
            return wasOnline ? Outcome.SEEN : Outcome.BACK;
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Marks offline the nodes not heard of since {@code before}; returns their names. */
    public List<String> markOffline(Instant before) {
        List<String> gone = new ArrayList<>();
        try (Connection db = database.getConnection()) {
            try (PreparedStatement find = db.prepareStatement("SELECT name FROM edge_node WHERE online = TRUE AND last_seen < ?")) {
                find.setTimestamp(1, Timestamp.from(before));
                try (ResultSet rows = find.executeQuery()) {
                    while (rows.next()) {
                        gone.add(rows.getString(1));
                    }
                }
            }
            try (PreparedStatement update = db.prepareStatement(
                    "UPDATE edge_node SET online = FALSE WHERE name = ? AND online = TRUE AND last_seen < ?")) {
                for (String name : gone) {
                    update.setString(1, name);
                    update.setTimestamp(2, Timestamp.from(before));
                    update.addBatch();
                }
                update.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be written: " + DatabaseErrors.safeMessage(e));
        }
        return gone;
    }

    /** Every known node, by name. */
    public List<Node> list() {
        List<Node> nodes = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT name, online, first_seen, last_seen, version, roles,"
                        + " key_fingerprint FROM edge_node ORDER BY name")) {
            try (ResultSet row = find.executeQuery()) {
                while (row.next()) {
                    String roles = row.getString(6);
                    nodes.add(new Node(row.getString(1), row.getBoolean(2), row.getTimestamp(3).toInstant(),
                            row.getTimestamp(4).toInstant(), row.getString(5), roles.isEmpty() ? List.of() : List.of(roles.split(",")),
                            row.getString(7)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return nodes;
    }

    /** Forgets a node (its key is pinned again at its next hello); false when unknown. */
    public boolean remove(String name) {
        try (Connection db = database.getConnection();
                PreparedStatement delete = db.prepareStatement("DELETE FROM edge_node WHERE name = ?")) {
            delete.setString(1, name);
            pinned.remove(name);
            return delete.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /**
     * Forgets the nodes that are offline and were last seen before {@code cutoff} (as {@link #remove}: a forgotten node's
     * key is pinned again at its next hello); returns their names.
     */
    public List<String> forgetOfflineBefore(Instant cutoff) {
        List<String> forgotten = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT name FROM edge_node WHERE online = FALSE AND last_seen < ?")) {
            find.setTimestamp(1, java.sql.Timestamp.from(cutoff));
            try (ResultSet row = find.executeQuery()) {
                while (row.next()) {
                    forgotten.add(row.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be read: " + DatabaseErrors.safeMessage(e));
        }
        forgotten.removeIf(name -> !removeIfStill(name, cutoff));
        return forgotten;
    }

    /** Removes the node if it is still offline and unseen since {@code cutoff} (a hello may have come meanwhile). */
    private boolean removeIfStill(String name, Instant cutoff) {
        try (Connection db = database.getConnection();
                PreparedStatement delete = db.prepareStatement(
                        "DELETE FROM edge_node WHERE name = ? AND online = FALSE AND last_seen < ?")) {
            delete.setString(1, name);
            delete.setTimestamp(2, java.sql.Timestamp.from(cutoff));
            boolean gone = delete.executeUpdate() == 1;
            if (gone) {
                pinned.remove(name);
            }
            return gone;
        } catch (SQLException e) {
            throw new IllegalStateException("the node list could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }
}
