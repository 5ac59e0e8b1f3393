package io.netwarden.platform.messaging.durable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 *   consumer loop (one virtual thread each):
 *      read up to 256 messages above the floor, not done ─▶ matching, due, under max in flight ─▶ attempt + 1,
 *      next_at = now + ack wait ─▶ handler (virtual thread; or, for batches, queued in order for DeliveryBatcher)
 *      ─▶ ack: done │ nak: next_at = now + delay │ term: done
 *      ─▶ floor moves up over done and non-matching messages ─▶ sleeps until woken or the next due time (≤ 1 s)
 * </pre>
 *
 * One process owns a consumer name (the all-in-one case); a restarted process finds unacknowledged messages due again
 * after their ack wait. Messages older than their stream's max age are deleted (checked at most once a minute per
 * stream). Each consumer reads the database at least once a second, which suits the handful of consumers of one
 * process; fleets use JetStream. Thread safety: all state shared between threads is in the database or in concurrent maps; each consumer's
 * in-flight set is guarded by its lock.
 */
public final class DatabaseDelivery implements DurableDelivery {

    private static final Logger LOG = Logger.getLogger(DatabaseDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 256;
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
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
        running.stream().filter(c -> c.spec.stream().equals(streamName)).forEach(DatabaseConsumption::wake);
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
        return open(spec, null, new DeliveryBatcher(spec, handler));
    }

    private Consumption open(ConsumerSpec spec, DeliveryHandler handler, DeliveryBatcher batcher) {
        try {
            stream(spec.stream()).requireCovers(spec.filter());
        } catch (RuntimeException e) {
            if (batcher != null) {
                batcher.close();
            }
            throw e;
        }
        long floor;
        try (Connection db = database.getConnection()) {
            floor = openConsumer(db, spec);
        } catch (SQLException e) {
            if (batcher != null) {
                batcher.close();
            }
            throw unavailable("consumer " + spec.name() + " could not be opened", e);
        }
        DatabaseConsumption consumption = new DatabaseConsumption(spec, handler, batcher, floor);
        running.add(consumption);
        consumption.thread = Thread.ofVirtual().name("durable-" + spec.name()).start(consumption::loop);
        return consumption;
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

    private static DeliveryUnavailableException unavailable(String what, SQLException e) {
        return new DeliveryUnavailableException(what + ": " + DatabaseErrors.safeMessage(e));
    }

    /** A stored message as the consumer loop read it. */
    private record Row(long seq, String subject, Map<String, String> headers, byte[] data, Instant storedAt, int attempts,
            Instant nextAt) {
    }

    private final class DatabaseConsumption implements Consumption {
        final ConsumerSpec spec;
        /** One of these two is set: each delivery to the handler on its own thread, or in order to the batcher. */
        private final DeliveryHandler handler;
        private final DeliveryBatcher batcher;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        /** Sequences handed to the handler and not answered yet, with the time their ack wait ends. */
        private final Map<Long, Instant> inFlight = new ConcurrentHashMap<>();
        private long floor;
        private boolean woken;
        private volatile boolean closed;
        volatile Thread thread;

        DatabaseConsumption(ConsumerSpec spec, DeliveryHandler handler, DeliveryBatcher batcher, long floor) {
            this.spec = spec;
            this.handler = handler;
            this.batcher = batcher;
            this.floor = floor;
        }

        void wake() {
            lock.lock();
            try {
                woken = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void loop() {
            Duration failureWait = Duration.ofMillis(100);
            while (!closed) {
                Duration sleep;
                try {
                    sleep = round();
                    failureWait = Duration.ofMillis(100);
                } catch (SQLException | RuntimeException e) {
                    LOG.warnf("consumer %s: %s; again in %s", spec.name(), e instanceof SQLException sql
                            ? DatabaseErrors.safeMessage(sql) : e.toString(), failureWait);
                    sleep = failureWait;
                    failureWait = failureWait.multipliedBy(2).compareTo(IDLE_POLL.multipliedBy(10)) > 0
                            ? IDLE_POLL.multipliedBy(10) : failureWait.multipliedBy(2);
                }
                lock.lock();
                try {
                    if (!woken && !closed) {
                        changed.await(Math.max(1, sleep.toMillis()), TimeUnit.MILLISECONDS);
                    }
                    woken = false;
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }

        /** Hands out what is due; returns how long to sleep when nothing wakes the loop. */
        private Duration round() throws SQLException {
            Instant now = Instant.now();
            Instant nextDue = now.plus(IDLE_POLL);
            // no answer within the ack wait: handed out again (as JetStream does; the first handler may still run)
            inFlight.values().removeIf(deadline -> !deadline.isAfter(now));
            List<Row> rows = new ArrayList<>();
            long lastRead = floor;
            try (Connection db = database.getConnection()) {
                try (PreparedStatement read = db.prepareStatement("SELECT m.seq, m.subject, m.headers, m.data, m.stored_at,"
                        + " a.attempts, a.next_at, a.done FROM durable_message m LEFT JOIN durable_attempt a"
                        + " ON a.stream = m.stream AND a.consumer = ? AND a.seq = m.seq"
                        + " WHERE m.stream = ? AND m.seq > ? ORDER BY m.seq")) {
                    read.setMaxRows(BATCH);
                    read.setString(1, spec.name());
                    read.setString(2, spec.stream());
                    read.setLong(3, floor);
                    try (ResultSet row = read.executeQuery()) {
                        while (row.next()) {
                            long seq = row.getLong(1);
                            lastRead = seq;
                            String subject = row.getString(2);
                            if (row.getBoolean(8) || !Subjects.matches(spec.filter(), subject)) {
                                continue; // done, or not for this consumer
                            }
                            Timestamp next = row.getTimestamp(7);
                            rows.add(new Row(seq, subject, headers(row.getString(3)), row.getBytes(4),
                                    row.getTimestamp(5).toInstant(), row.getInt(6), next == null ? null : next.toInstant()));
                        }
                    }
                }
                // the floor rises over everything read that is done or not ours, up to the first message still open
                long newFloor = rows.isEmpty() ? lastRead : rows.getFirst().seq() - 1;
                if (newFloor > floor) {
                    moveFloor(db, newFloor);
                }
                for (Row row : rows) {
                    if (inFlight.size() >= spec.maxInFlight()) {
                        break;
                    }
                    if (inFlight.containsKey(row.seq())) {
                        continue;
                    }
                    if (row.nextAt() != null && row.nextAt().isAfter(now)) {
                        nextDue = row.nextAt().isBefore(nextDue) ? row.nextAt() : nextDue;
                        if (spec.maxInFlight() == 1) {
                            break; // in order: nothing after it goes first
                        }
                        continue;
                    }
                    if (spec.maxDeliveries() > 0 && row.attempts() >= spec.maxDeliveries()) {
                        finish(db, row.seq());
                        LOG.infof("consumer %s: %s (sequence %d) given up after %d deliveries", spec.name(), row.subject(),
                                row.seq(), row.attempts());
                        continue;
                    }
                    Instant deadline = now.plus(spec.ackWait());
                    attempt(db, row, deadline);
                    nextDue = deadline.isBefore(nextDue) ? deadline : nextDue;
                    hand(row, deadline);
                }
            }
            Duration sleep = Duration.between(Instant.now(), nextDue);
            return sleep.isNegative() ? Duration.ZERO : sleep;
        }

        private void moveFloor(Connection db, long newFloor) throws SQLException {
            try (PreparedStatement update = db.prepareStatement(
                    "UPDATE durable_consumer SET floor_seq = ? WHERE stream = ? AND name = ?");
                    PreparedStatement clean = db.prepareStatement(
                            "DELETE FROM durable_attempt WHERE stream = ? AND consumer = ? AND seq <= ?")) {
                update.setLong(1, newFloor);
                update.setString(2, spec.stream());
                update.setString(3, spec.name());
                update.executeUpdate();
                clean.setString(1, spec.stream());
                clean.setString(2, spec.name());
                clean.setLong(3, newFloor);
                clean.executeUpdate();
            }
            floor = newFloor;
        }

        private void attempt(Connection db, Row row, Instant deadline) throws SQLException {
            String sql = row.nextAt() == null
                    ? "INSERT INTO durable_attempt (attempts, next_at, done, stream, consumer, seq) VALUES (?, ?, FALSE, ?, ?, ?)"
                    : "UPDATE durable_attempt SET attempts = ?, next_at = ? WHERE stream = ? AND consumer = ? AND seq = ?";
            try (PreparedStatement write = db.prepareStatement(sql)) {
                write.setInt(1, row.attempts() + 1);
                write.setTimestamp(2, Timestamp.from(deadline));
                write.setString(3, spec.stream());
                write.setString(4, spec.name());
                write.setLong(5, row.seq());
                write.executeUpdate();
            }
        }

        private void finish(Connection db, long seq) throws SQLException {
            try (PreparedStatement done = db.prepareStatement(
                    "UPDATE durable_attempt SET done = TRUE WHERE stream = ? AND consumer = ? AND seq = ?")) {
                done.setString(1, spec.stream());
                done.setString(2, spec.name());
                done.setLong(3, seq);
                done.executeUpdate();
            }
        }

        private void hand(Row row, Instant deadline) {
            inFlight.put(row.seq(), deadline);
            DatabaseDeliveryItem delivery = new DatabaseDeliveryItem(this, row);
            if (batcher != null) {
                batcher.accept(delivery); // in sequence order, as read
                return;
            }
            Thread.ofVirtual().name("durable-" + spec.name() + "-" + row.seq()).start(() -> {
                try {
                    handler.handle(delivery);
                } catch (Exception e) {
                    LOG.warnf("handler of consumer %s failed on %s (sequence %d): %s", spec.name(), row.subject(), row.seq(),
                            e.toString());
                    delivery.nak(HANDLER_FAILED_RETRY);
                }
            });
        }

        /** The handler's answer for {@code seq}: done, or due again at {@code nextAt}; {@code working}: still in hand. */
        void answer(long seq, boolean done, Instant nextAt, boolean working) {
            try (Connection db = database.getConnection()) {
                if (done) {
                    finish(db, seq);
                } else {
                    try (PreparedStatement later = db.prepareStatement(
                            "UPDATE durable_attempt SET next_at = ? WHERE stream = ? AND consumer = ? AND seq = ? AND done = FALSE")) {
                        later.setTimestamp(1, Timestamp.from(nextAt));
                        later.setString(2, spec.stream());
                        later.setString(3, spec.name());
                        later.setLong(4, seq);
                        later.executeUpdate();
                    }
                }
            } catch (SQLException e) {
                // not recorded: the message is delivered again after its ack wait
                throw unavailable("the answer for sequence " + seq + " was not recorded", e);
            } finally {
                if (working) {
                    inFlight.put(seq, nextAt);
                } else {
                    inFlight.remove(seq);
                    wake();
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            running.remove(this);
            if (batcher != null) {
                batcher.close();
            }
            wake();
        }
    }

    private static Map<String, String> headers(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<HashMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private static final class DatabaseDeliveryItem implements Delivery {
        private final DatabaseConsumption consumption;
        private final Row row;

        DatabaseDeliveryItem(DatabaseConsumption consumption, Row row) {
            this.consumption = consumption;
            this.row = row;
        }

        @Override
        public String subject() {
            return row.subject();
        }

        @Override
        public Map<String, String> headers() {
            return row.headers();
        }

        @Override
        public byte[] data() {
            return row.data();
        }

        @Override
        public long sequence() {
            return row.seq();
        }

        @Override
        public int attempt() {
            return row.attempts() + 1;
        }

        @Override
        public Instant storedAt() {
            return row.storedAt();
        }

        @Override
        public void ack() {
            consumption.answer(row.seq(), true, null, false);
        }

        @Override
        public void nak(Duration delay) {
            consumption.answer(row.seq(), false, Instant.now().plus(delay), false);
        }

        @Override
        public void term() {
            consumption.answer(row.seq(), true, null, false);
        }

        @Override
        public void inProgress() {
            consumption.answer(row.seq(), false, Instant.now().plus(consumption.spec.ackWait()), true);
        }
    }
}
