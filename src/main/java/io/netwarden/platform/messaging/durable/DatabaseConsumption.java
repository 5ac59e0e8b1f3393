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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * One durable consumer of {@link DatabaseDelivery}: a loop on its own virtual thread that hands out what is due.
 *
 * <pre>
 *   round: read up to 256 messages above the floor, not done ─▶ matching, due, under max in flight ─▶ attempt + 1,
 *          next_at = now + ack wait ─▶ handler (virtual thread; or, for batches, queued in order for DeliveryBatcher)
 *          ─▶ the floor moves up over done and non-matching messages
 *   sleep until woken (a publish to the stream, an answer) or the next due time (at most 1 s)
 *   answer: ack │ term ─▶ done     nak ─▶ next_at = now + delay     inProgress ─▶ next_at = now + ack wait
 * </pre>
 *
 * Thread safety: the floor is the loop's alone; the in-flight map is concurrent; waking goes through the lock.
 */
final class DatabaseConsumption implements DurableDelivery.Consumption {

    private static final Logger LOG = Logger.getLogger(DatabaseConsumption.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 256;
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    /** A stored message as the consumer loop read it. */
    private record Row(long seq, String subject, Map<String, String> headers, byte[] data, Instant storedAt, int attempts,
            Instant nextAt) {
    }

    private final DataSource database;
    private final ConsumerSpec spec;
    private final Runnable onClose;
    /** One of these two is set: each delivery to the handler on its own thread, or in order to the batcher. */
    private final DurableDelivery.DeliveryHandler handler;
    private final DeliveryBatcher batcher;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Sequences handed to the handler and not answered yet, with the time their ack wait ends. */
    private final Map<Long, Instant> inFlight = new ConcurrentHashMap<>();
    private long floor;
    private boolean woken;
    private volatile boolean closed;
    private volatile Thread thread;

    DatabaseConsumption(DataSource database, ConsumerSpec spec, DurableDelivery.DeliveryHandler handler, DeliveryBatcher batcher, long floor,
            Runnable onClose) {
        this.database = database;
        this.spec = spec;
        this.handler = handler;
        this.batcher = batcher;
        this.floor = floor;
        this.onClose = onClose;
    }

    void start() {
        thread = Thread.ofVirtual().name("durable-" + spec.name()).start(this::loop);
    }

    ConsumerSpec spec() {
        return spec;
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

    private void loop() {
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
                delivery.nak(DurableDelivery.HANDLER_FAILED_RETRY);
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
            throw DatabaseDelivery.unavailable("the answer for sequence " + seq + " was not recorded", e);
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
        onClose.run();
        if (batcher != null) {
            batcher.close();
        }
        wake();
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
