package io.netwarden.edge.central;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.DatabaseText;
import io.netwarden.platform.persistence.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.netwarden.platform.persistence.ChunkedDelete;
import javax.sql.DataSource;

/**
 * The messages this node sent and how each ended (table {@code edge_message}).
 *
 * <pre>
 *   pending (published = false) ─ stored in the stream ─▶ pending (published = true, next_try_at = timeout + backoff)
 *   pending, published ─ next_try_at passed, node online ─▶ published again (nudges + 1, backoff doubled)
 *   pending ─ receipt ─▶ delivered (next_try_at = delivered + timeout + backoff)
 *   pending │ delivered ─ ACK ok ─▶ acked        pending │ delivered ─ ACK refused / method failed ─▶ failed
 *   delivered ─ next_try_at passed ─▶ sent again (attempts + 1, backoff doubled) │ retries spent ─▶ failed (no_answer)
 *   pending ─ expires_at passed ─▶ expired   (an ACK arriving later is not taken: the node refuses it as expired too)
 * </pre>
 *
 * Thread safety: each call is one statement (or one transaction) on a pooled connection; status changes are guarded
 * by the status they leave, so an ACK and the expiry (or the retry giving up) cannot both win.
 */
public final class MessageLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_OUTPUT_CHARS = 4 * 1024 * 1024;

    private final DataSource database;

    public MessageLog(DataSource database) {
        this.database = database;
    }

    /** A message as the API shows it. */
    public record Entry(String id, String subject, String toNode, String method, String status, String output,
            Integer exitCode, boolean truncated, String error, String errorText, int attempts, Instant createdAt,
            Instant deliveredAt, Instant ackedAt) {
    }

    public void insert(EdgeMessage message, int retries) {
        insertAll(List.of(new NewMessage(message, retries)));
    }

    /** A message to store, with the deliveries it may have after the first. */
    public record NewMessage(EdgeMessage message, int retries) {
    }

    /**
     * A request's idempotency key, stored with its messages: the same key later gets these messages back.
     *
     * @param bodySha256 the hex SHA-256 of the request body, so that the key given with another body is refused
     * @param messageIds the ids of the request's messages, in the order the request answered them
     */
    public record Submission(String key, String bodySha256, List<String> messageIds) {
    }

    /** An idempotency key stored meanwhile by another request: nothing of this one was stored. */
    public static final class KeyTaken extends IllegalStateException {
        KeyTaken() {
            super("the idempotency key was taken by another request meanwhile");
        }
    }

    /** Stores messages in one transaction (a request's messages, a broadcast's copies): all or none. */
    public void insertAll(List<NewMessage> messages) {
        insertAll(messages, List.of());
    }

    /**
     * As {@link #insertAll(List)}, with the requests' idempotency keys in the same transaction.
     *
     * @throws KeyTaken when one of the keys is stored already (nothing is stored)
     */
    public void insertAll(List<NewMessage> messages, List<Submission> submissions) {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection db = database.getConnection()) {
            Transactions.inTransaction(db, () -> {
                insertAll(db, messages, now);
                return insertSubmissions(db, submissions, now);
            });
        } catch (SQLException e) {
            if (!submissions.isEmpty() && DatabaseErrors.isUniqueViolation(e)) {
                throw new KeyTaken();
            }
            throw new IllegalStateException("the message could not be stored: " + DatabaseErrors.safeMessage(e));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Void insertAll(Connection db, List<NewMessage> messages, Timestamp now)
            throws SQLException, JsonProcessingException {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_message (id, subject, to_node, kind, method,"
                + " data, timeout_ms, retries, expires_at, published, status, truncated, attempts, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, 'pending', FALSE, 0, ?)")) {
            String data = null;
            List<String> dataOf = null;
            long micros = 0;
            for (NewMessage stored : messages) {
                EdgeMessage message = stored.message();
                if (dataOf != message.data()) { // the copies of a broadcast share their data
                    data = JSON.writeValueAsString(message.data());
                    dataOf = message.data();
                }
                insert.setString(1, message.id());
                insert.setString(2, message.subject());
                insert.setString(3, message.toNode());
                insert.setString(4, message.kind().name());
                insert.setString(5, message.method());
                insert.setString(6, data);
                insert.setLong(7, message.timeout().toMillis());
                insert.setInt(8, stored.retries());
                insert.setTimestamp(9, Timestamp.from(message.expiresAt()));
                // a microsecond apart, in the order given: the sweeper publishes in created_at order, so what it sends
                // again keeps the order of a request
                insert.setTimestamp(10, Timestamp.from(now.toInstant().plusNanos(1000 * micros++)));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return null;
    }

    private static Void insertSubmissions(Connection db, List<Submission> submissions, Timestamp now) throws SQLException {
        if (submissions.isEmpty()) {
            return null;
        }
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO edge_submission (idempotency_key, body_sha256,"
                + " message_ids, created_at) VALUES (?, ?, ?, ?)")) {
            for (Submission submission : submissions) {
                insert.setString(1, submission.key());
                insert.setString(2, submission.bodySha256());
                insert.setString(3, String.join(",", submission.messageIds()));
                insert.setTimestamp(4, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return null;
    }

    /** The request stored under this idempotency key, if any. */
    public Optional<Submission> submission(String key) {
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement(
                        "SELECT body_sha256, message_ids FROM edge_submission WHERE idempotency_key = ?")) {
            find.setString(1, key);
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String ids = row.getString(2);
                return Optional.of(new Submission(key, row.getString(1), ids.isEmpty() ? List.of() : List.of(ids.split(","))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Forgets idempotency keys stored before {@code cutoff}; returns how many. */
    public long deleteSubmissionsBefore(Instant cutoff) {
        return ChunkedDelete.deleteBefore(database, "DELETE FROM edge_submission WHERE idempotency_key IN (SELECT"
                + " idempotency_key FROM edge_submission WHERE created_at < ? FETCH FIRST %d ROWS ONLY)", cutoff);
    }

    /**
     * Marks a message stored in the stream (one more attempt); a receipt or an answer is due by the timeout plus
     * {@code backoff} from now, else it is published again ({@link #unanswered}).
     */
    public void published(EdgeMessage message, Duration backoff) {
        publishedAll(List.of(message), backoff);
    }

    /**
     * Marks messages stored in the stream, in one batch. Once: the sweeper may publish a message again while its sender
     * is marking it (the stream drops the copy by its id), and that is still one attempt.
     */
    public void publishedAll(List<EdgeMessage> messages, Duration backoff) {
        Instant now = Instant.now();
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET published = TRUE,"
                        + " attempts = attempts + 1, next_try_at = ? WHERE id = ? AND published = FALSE")) {
            for (EdgeMessage message : messages) {
                update.setTimestamp(1, Timestamp.from(now.plus(message.timeout()).plus(backoff)));
                update.setString(2, message.id());
                update.addBatch();
            }
            update.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Takes a node's answer; false when the message is unknown or no longer pending. */
    public boolean acked(EdgeAck ack) {
        return !ackedAll(List.of(ack)).isEmpty();
    }

    /**
     * Takes nodes' answers in one transaction; returns the ids of the messages they ended (an answer for a message that
     * is unknown, or no longer pending, changes nothing).
     */
    public List<String> ackedAll(List<EdgeAck> acks) {
        if (acks.isEmpty()) {
            return List.of();
        }
        Timestamp now = Timestamp.from(Instant.now());
        List<String> ended = new ArrayList<>();
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                try (PreparedStatement update = db.prepareStatement("UPDATE edge_message SET status = ?, output = ?,"
                        + " exit_code = ?, truncated = ?, error = ?, error_text = ?, delivered_at = COALESCE(delivered_at, ?),"
                        + " acked_at = ? WHERE id = ? AND to_node = ? AND status IN ('pending', 'delivered')")) {
                    for (EdgeAck ack : acks) {
                        String output = DatabaseText.storable(ack.output(), MAX_OUTPUT_CHARS);
                        update.setString(1, ack.ok() ? "acked" : "failed");
                        update.setString(2, output);
                        update.setInt(3, ack.exitCode());
                        update.setBoolean(4, ack.truncated() || output.length() < ack.output().length());
                        update.setString(5, ack.error().map(e -> e.code()).orElse(null));
                        update.setString(6, DatabaseText.storable(ack.errorText(), 2000));
                        update.setTimestamp(7, now);
                        update.setTimestamp(8, now);
                        update.setString(9, ack.messageId());
                        update.setString(10, ack.node());
                        update.addBatch();
                    }
                    int[] counts = update.executeBatch();
                    for (int i = 0; i < counts.length; i++) {
                        if (counts[i] == 1 && !ended.contains(acks.get(i).messageId())) {
                            ended.add(acks.get(i).messageId());
                        }
                    }
                    return ended;
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the answers could not be stored: " + DatabaseErrors.safeMessage(e));
        }
    }

    /**
     * A node's receipt: the message is delivered and runs; an answer is due by {@code now + timeout + backoff}. False
     * when it is not pending (already answered, expired, unknown).
     */
    public boolean delivered(String id, String node, Instant now, Duration backoff) {
        Optional<StoredMessage> stored = stored(id);
        if (stored.isEmpty()) {
            return false;
        }
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET status = 'delivered',"
                        + " delivered_at = COALESCE(delivered_at, ?), next_try_at = ? WHERE id = ? AND to_node = ?"
                        + " AND status = 'pending'")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setTimestamp(2, Timestamp.from(now.plus(stored.get().timeout()).plus(backoff)));
            update.setString(3, id);
            update.setString(4, node);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the receipt could not be stored: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Delivered messages whose answer is overdue, oldest due first, with what deciding on a retry needs. */
    public List<Overdue> overdue(Instant now, int limit) {
        List<Overdue> due = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT id, to_node, method, attempts, retries FROM edge_message"
                        + " WHERE status = 'delivered' AND next_try_at < ? ORDER BY next_try_at")) {
            find.setMaxRows(limit);
            find.setTimestamp(1, Timestamp.from(now));
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    due.add(new Overdue(rows.getString(1), rows.getString(2), rows.getString(3), rows.getInt(4), rows.getInt(5)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return due;
    }

    /** A delivered message without its answer in time; {@code attempts} counts the publications so far. */
    public record Overdue(String id, String toNode, String method, int attempts, int retries) {

        /** Whether one more publication is allowed: the first one plus {@code retries}. */
        public boolean mayRetry() {
            return attempts <= retries;
        }
    }

    /**
     * Published messages that neither a receipt nor an answer followed by their due time, oldest due first: lost on the
     * way (a broker restart, a link that broke at the wrong moment) or still waiting behind others at their node.
     */
    public List<Unanswered> unanswered(Instant now, int limit) {
        List<Unanswered> due = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT id, to_node, nudges FROM edge_message"
                        + " WHERE status = 'pending' AND published = TRUE AND next_try_at < ? ORDER BY next_try_at")) {
            find.setMaxRows(limit);
            find.setTimestamp(1, Timestamp.from(now));
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    due.add(new Unanswered(rows.getString(1), rows.getString(2), rows.getInt(3)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return due;
    }

    /** A published message without a receipt or an answer in time; {@code nudges} counts its publications since. */
    public record Unanswered(String id, String toNode, int nudges) {
    }

    /**
     * The next look at a message without a receipt is due at {@code next}; {@code nudged} when it was just published
     * again (counted). Changes nothing once a receipt or an answer came.
     */
    public void nudged(String id, Instant next, boolean nudged) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET nudges = nudges + ?,"
                        + " next_try_at = ? WHERE id = ? AND status = 'pending'")) {
            update.setInt(1, nudged ? 1 : 0);
            update.setTimestamp(2, Timestamp.from(next));
            update.setString(3, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /**
     * A node came back: its messages without a receipt are looked at again by {@code at} (rather than when a look
     * postponed while it was offline would be due).
     */
    public void lookAgain(String node, Instant at) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET next_try_at = ? WHERE to_node = ?"
                        + " AND status = 'pending' AND published = TRUE AND next_try_at > ?")) {
            update.setTimestamp(1, Timestamp.from(at));
            update.setString(2, node);
            update.setTimestamp(3, Timestamp.from(at));
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** The message was sent again; its answer is due by {@code nextTry}. */
    public void retried(String id, Instant nextTry) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET attempts = attempts + 1,"
                        + " next_try_at = ? WHERE id = ? AND status = 'delivered'")) {
            update.setTimestamp(1, Timestamp.from(nextTry));
            update.setString(2, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Retries spent without an answer: failed with {@code no_answer}; false when an answer came meanwhile. */
    public boolean noAnswer(String id, int attempts) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET status = 'failed', error = ?,"
                        + " error_text = ? WHERE id = ? AND status = 'delivered'")) {
            update.setString(1, EdgeError.NO_ANSWER.code());
            update.setString(2, "no answer within the timeout after " + attempts + " attempt(s)");
            update.setString(3, id);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** A message that failed before it left this node (its file cannot be sent); false when it already ended. */
    public boolean failed(String id, EdgeError error, String text) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE edge_message SET status = 'failed', error = ?,"
                        + " error_text = ? WHERE id = ? AND status IN ('pending', 'delivered')")) {
            update.setString(1, error.code());
            update.setString(2, text.length() > 2000 ? text.substring(0, 2000) : text);
            update.setString(3, id);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Pending messages whose time to live has passed become expired; returns them. */
    public List<Entry> expire(Instant now) {
        List<Entry> expired = new ArrayList<>();
        try (Connection db = database.getConnection()) {
            try (PreparedStatement find = db.prepareStatement(SELECT + " WHERE status = 'pending' AND expires_at < ?")) {
                find.setMaxRows(1000);
                find.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rows = find.executeQuery()) {
                    while (rows.next()) {
                        expired.add(entry(rows));
                    }
                }
            }
            try (PreparedStatement update = db.prepareStatement("UPDATE edge_message SET status = 'expired', error = 'expired',"
                    + " error_text = 'its time to live ended before the node answered' WHERE id = ? AND status = 'pending'")) {
                for (Entry entry : expired) {
                    update.setString(1, entry.id());
                    update.addBatch();
                }
                update.executeBatch();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("expired messages could not be marked: " + DatabaseErrors.safeMessage(e));
        }
        return expired;
    }

    /** Ids of pending messages not yet stored in the stream (the broker was away), oldest first. */
    public List<String> unpublished(int limit, Instant storedBefore) {
        List<String> ids = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT id FROM edge_message WHERE status = 'pending'"
                        + " AND published = FALSE AND created_at < ? ORDER BY created_at")) {
            find.setTimestamp(1, Timestamp.from(storedBefore));
            find.setMaxRows(limit);
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return ids;
    }

    /** The stored message itself, for publishing it again. */
    public Optional<StoredMessage> stored(String id) {
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement("SELECT to_node, kind, method, data, timeout_ms, expires_at, retries"
                        + " FROM edge_message WHERE id = ?")) {
            find.setString(1, id);
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                List<String> data = JSON.readValue(row.getString(4), new TypeReference<List<String>>() {
                });
                return Optional.of(new StoredMessage(id, row.getString(1), EdgeMessage.Kind.valueOf(row.getString(2)),
                        row.getString(3), data, Duration.ofMillis(row.getLong(5)), row.getTimestamp(6).toInstant(),
                        row.getInt(7)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored message's data cannot be read");
        }
    }

    /** What {@link #stored} gives back: enough to sign and publish the message again. */
    public record StoredMessage(String id, String toNode, EdgeMessage.Kind kind, String method, List<String> data,
            Duration timeout, Instant expiresAt, int retries) {
    }

    public Optional<Entry> find(String id) {
        return findAll(List.of(id)).stream().findFirst();
    }

    /** The entries of these ids that exist, in no particular order. */
    public List<Entry> findAll(List<String> ids) {
        List<Entry> found = new ArrayList<>();
        if (ids.isEmpty()) {
            return found;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement(SELECT + " WHERE id IN (" + marks + ")")) {
            for (int i = 0; i < ids.size(); i++) {
                find.setString(i + 1, ids.get(i));
            }
            try (ResultSet row = find.executeQuery()) {
                while (row.next()) {
                    found.add(entry(row));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Newest first, filtered by what is given. */
    public List<Entry> list(Optional<String> node, Optional<String> status, Optional<String> method, int offset, int limit) {
        StringBuilder sql = new StringBuilder(SELECT + " WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        node.ifPresent(n -> {
            sql.append(" AND to_node = ?");
            args.add(n);
        });
        status.ifPresent(s -> {
            sql.append(" AND status = ?");
            args.add(s);
        });
        method.ifPresent(m -> {
            sql.append(" AND method = ?");
            args.add(m);
        });
        sql.append(" ORDER BY created_at DESC, id OFFSET ").append(Math.max(0, offset)).append(" ROWS FETCH FIRST ")
                .append(Math.max(1, limit)).append(" ROWS ONLY");
        List<Entry> entries = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement find = db.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                find.setString(i + 1, args.get(i));
            }
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    entries.add(entry(rows));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the message log could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return entries;
    }

    private static final String SELECT = "SELECT id, subject, to_node, method, status, output, exit_code, truncated, error,"
            + " error_text, attempts, created_at, delivered_at, acked_at FROM edge_message";

    private static Entry entry(ResultSet row) throws SQLException {
        int exit = row.getInt(7);
        Integer exitCode = row.wasNull() ? null : exit;
        return new Entry(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                row.getString(6), exitCode, row.getBoolean(8), row.getString(9), row.getString(10), row.getInt(11),
                instant(row.getTimestamp(12)), instant(row.getTimestamp(13)), instant(row.getTimestamp(14)));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /**
     * Deletes finished messages (acked, failed, expired) created before {@code cutoff}; returns how many. Pending and
     * delivered ones stay (they end by their ttl first), and so do those of rollouts still running.
     */
    public long deleteFinishedBefore(Instant cutoff) {
        // a running rollout counts its nodes' outcomes from these rows: they stay until it has finished
        return ChunkedDelete.deleteBefore(database, "DELETE FROM edge_message WHERE id IN (SELECT id FROM edge_message"
                + " WHERE created_at < ? AND status IN ('acked', 'failed', 'expired') AND id NOT IN (SELECT n.message_id"
                + " FROM edge_rollout_node n JOIN edge_rollout r ON r.id = n.rollout_id WHERE r.finished_at IS NULL"
                + " AND n.message_id IS NOT NULL) FETCH FIRST %d ROWS ONLY)", cutoff);
    }
}
