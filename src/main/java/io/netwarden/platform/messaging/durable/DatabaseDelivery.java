package io.netwarden.platform.messaging.durable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.messaging.Subjects;
import io.netwarden.platform.persistence.DatabaseErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * {@link DurableDelivery} in the process' own database, for the all-in-one process without NATS: messages are rows,
 * each durable consumer a row with its floor (every matching message at or below it is done) and one row per message it
 * has been given (attempts, when it may be given again, done).
 *
 * <pre>
 *   publish ─▶ one transaction: stream.last_seq + 1 ─▶ insert message (msg id unique: a repeat is the stored one)
 *            ─▶ wakes this process' consumers of the stream
 *   consume / consumeBatches ─▶ the consumer's row (its floor) ─▶ a DatabaseConsumption: its loop hands out what is
 *            due (its own diagram)
 * </pre>
 *
 * One process owns a consumer name (the all-in-one case); a restarted process finds unacknowledged messages due again
 * after their ack wait. Messages older than their stream's max age are deleted (checked at most once a minute per
 * stream). Each consumer reads the database at least once a second, which suits the handful of consumers of one
 * process; fleets use JetStream. Each consumer's loop is a {@link DatabaseConsumption}. Thread safety: all state shared
 * between threads is in the database or in concurrent maps.
 */
public final class DatabaseDelivery implements DurableDelivery {

    private static final Logger LOG = Logger.getLogger(DatabaseDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

    private final DataSource database;
    private final Map<String, StreamSpec> streams = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastPrune = new ConcurrentHashMap<>();
    private final Set<DatabaseConsumption> running = ConcurrentHashMap.newKeySet();

    public DatabaseDelivery(DataSource database) {
        this.database = database;
    }

    @Override
    public String kind() {
        return "database";
    }

    @Override
    public void declare(StreamSpec stream) {
        try (Connection db = database.getConnection()) {
            int updated;
            try (PreparedStatement update = db.prepareStatement("UPDATE durable_stream SET subjects = ?, max_age_ms = ? WHERE name = ?")) {
                update.setString(1, String.join(" ", stream.subjects()));
                update.setLong(2, stream.maxAge().toMillis());
                update.setString(3, stream.name());
                updated = update.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement insert = db.prepareStatement(
                        "INSERT INTO durable_stream (name, subjects, max_age_ms, last_seq) VALUES (?, ?, ?, 0)")) {
                    insert.setString(1, stream.name());
                    insert.setString(2, String.join(" ", stream.subjects()));
                    insert.setLong(3, stream.maxAge().toMillis());
                    insert.executeUpdate();
                } catch (SQLException raced) {
                    if (!isUniqueViolation(raced)) {
                        throw raced;
                    }
                }
            }
            streams.put(stream.name(), stream);
        } catch (SQLException e) {
            throw unavailable("stream " + stream.name() + " could not be declared", e);
        }
    }

    private StreamSpec stream(String name) {
        StreamSpec stream = streams.get(name);
        if (stream == null) {
            throw new IllegalStateException("stream " + name + " has not been declared");
        }
        return stream;
    }

    @Override
    public long publish(String streamName, Outgoing message) {
        StreamSpec stream = stream(streamName);
        if (stream.subjects().stream().noneMatch(filter -> Subjects.matches(filter, message.subject()))) {
            throw new IllegalArgumentException("subject " + message.subject() + " is not one of stream " + streamName + "'s");
        }
        prune(stream);
        long seq;
        try (Connection db = database.getConnection()) {
            db.setAutoCommit(false);
            try {
                Long existing = message.id().isPresent() ? existing(db, streamName, message.id().get()) : null;
                if (existing != null) {
                    db.rollback();
                    return existing;
                }
                seq = nextSequence(db, streamName);
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO durable_message (stream, seq, subject, msg_id,"
                        + " headers, data, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, streamName);
                    insert.setLong(2, seq);
                    insert.setString(3, message.subject());
                    insert.setString(4, message.id().orElse(null));
                    insert.setString(5, message.headers().isEmpty() ? null : JSON.writeValueAsString(message.headers()));
                    insert.setBytes(6, message.data());
                    insert.setTimestamp(7, Timestamp.from(Instant.now()));
                    insert.executeUpdate();
                }
                db.commit();
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                db.rollback();
                if (e instanceof SQLException sql && isUniqueViolation(sql) && message.id().isPresent()) {
                    Long raced = existing(db, streamName, message.id().get()); // the same id stored at the same time
                    if (raced != null) {
                        return raced;
                    }
                }
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable("message to " + message.subject() + " not stored", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the headers of a message to " + message.subject() + " cannot be stored");
        }
        running.stream().filter(c -> c.spec().stream().equals(streamName)).forEach(DatabaseConsumption::wake);
        return seq;
    }

    private static Long existing(Connection db, String stream, String id) throws SQLException {
        try (PreparedStatement find = db.prepareStatement("SELECT seq FROM durable_message WHERE stream = ? AND msg_id = ?")) {
            find.setString(1, stream);
            find.setString(2, id);
            try (ResultSet row = find.executeQuery()) {
                return row.next() ? row.getLong(1) : null;
            }
        }
    }

    private static long nextSequence(Connection db, String stream) throws SQLException {
        try (PreparedStatement bump = db.prepareStatement("UPDATE durable_stream SET last_seq = last_seq + 1 WHERE name = ?")) {
            bump.setString(1, stream);
            if (bump.executeUpdate() != 1) {
                throw new SQLException("stream " + stream + " is not in the database", "02000");
            }
        }
        try (PreparedStatement read = db.prepareStatement("SELECT last_seq FROM durable_stream WHERE name = ?")) {
            read.setString(1, stream);
            try (ResultSet row = read.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private void prune(StreamSpec stream) {
        Instant now = Instant.now();
        Instant last = lastPrune.get(stream.name());
        if (last != null && last.plus(PRUNE_EVERY).isAfter(now)) {
            return;
        }
        lastPrune.put(stream.name(), now);
        try (Connection db = database.getConnection();
                PreparedStatement delete = db.prepareStatement("DELETE FROM durable_message WHERE stream = ? AND stored_at < ?")) {
            delete.setString(1, stream.name());
            delete.setTimestamp(2, Timestamp.from(now.minus(stream.maxAge())));
            int gone = delete.executeUpdate();
            if (gone > 0) {
                LOG.debugf("stream %s: %d messages older than %s deleted", stream.name(), gone, stream.maxAge());
            }
        } catch (SQLException e) {
            LOG.warnf("stream %s: old messages not deleted (%s)", stream.name(), DatabaseErrors.safeMessage(e));
        }
    }

    @Override
    public Consumption consume(ConsumerSpec spec, DeliveryHandler handler) {
        return open(spec, handler, null);
    }

    @Override
    public Consumption consumeBatches(ConsumerSpec spec, BatchHandler handler) {
        return open(spec, null, handler);
    }

    /** One of {@code handler} and {@code batches} is set. */
    private Consumption open(ConsumerSpec spec, DeliveryHandler handler, BatchHandler batches) {
        stream(spec.stream()).requireCovers(spec.filter());
        long floor;
        try (Connection db = database.getConnection()) {
            floor = openConsumer(db, spec);
        } catch (SQLException e) {
            throw unavailable("consumer " + spec.name() + " could not be opened", e);
        }
        DatabaseConsumption[] self = new DatabaseConsumption[1];
        self[0] = new DatabaseConsumption(database, spec, handler, batches == null ? null : new DeliveryBatcher(spec, batches),
                floor, () -> running.remove(self[0]));
        running.add(self[0]);
        self[0].start();
        return self[0];
    }

    private static long openConsumer(Connection db, ConsumerSpec spec) throws SQLException {
        try (PreparedStatement find = db.prepareStatement("SELECT floor_seq, filter FROM durable_consumer WHERE stream = ? AND name = ?")) {
            find.setString(1, spec.stream());
            find.setString(2, spec.name());
            try (ResultSet row = find.executeQuery()) {
                if (row.next()) {
                    long floor = row.getLong(1);
                    if (!row.getString(2).equals(spec.filter())) {
                        try (PreparedStatement update = db.prepareStatement(
                                "UPDATE durable_consumer SET filter = ? WHERE stream = ? AND name = ?")) {
                            update.setString(1, spec.filter());
                            update.setString(2, spec.stream());
                            update.setString(3, spec.name());
                            update.executeUpdate();
                        }
                    }
                    return floor;
                }
            }
        }
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO durable_consumer (stream, name, filter, floor_seq) VALUES (?, ?, ?, 0)")) {
            insert.setString(1, spec.stream());
            insert.setString(2, spec.name());
            insert.setString(3, spec.filter());
            insert.executeUpdate();
        }
        return 0;
    }

    private static boolean isUniqueViolation(SQLException e) {
        return DatabaseErrors.isUniqueViolation(e);
    }

    static DeliveryUnavailableException unavailable(String what, SQLException e) {
        return new DeliveryUnavailableException(what + ": " + DatabaseErrors.safeMessage(e));
    }

}
