package io.netwarden.dnc.jobs;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netwarden.dnc.elements.ElementEntity;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.proto.dnc.v1.JobUpdate;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Writes the two steps every job takes — storing it when it is accepted, applying the update that finishes it — in JDBC
 * batches: whatever arrived while one batch was being written goes into the next, all in one transaction.
 *
 * <pre>
 *   API threads ──── insert ──▶ inserts lane ─▶ writer thread: SELECT network_element (n names), check each job
 *                                               against its element, INSERT job ×n, INSERT job_transition ×n, COMMIT
 *   update threads ─ update ──▶ updates lane ─▶ writer thread: SELECT job … FOR UPDATE (n ids), advance each job in
 *                                               arrival order, UPDATE job ×m, INSERT job_transition ×k, COMMIT
 * </pre>
 *
 * Why not Hibernate here: every statement is a round trip to the database, and on a small box those wake-ups, not the
 * SQL, cost most of a job (docs/adr/0004-job-writes-in-batches.md). Callers block until their batch has committed, so an
 * accepted job is exactly as durable as one written alone. A batch that fails is rolled back and its items are written
 * again one per transaction, so a bad item fails alone. Jobs of scheduled polls are answered {@link Outcome#TRANSACTIONAL}:
 * their samples are stored with the job's end in one JTA transaction by {@link JobStore}. Thread safety: each lane has two
 * writer threads; a batch, its connection and the rows it read belong to the one writer that took it (two batches naming
 * one job meet at its row lock, and {@link JobStore#advance} accepts updates in any order); callers get results through
 * futures.
 */
@ApplicationScoped
public class JobWriter {

    private static final Logger LOG = Logger.getLogger(JobWriter.class);
    private static final int MAX_BATCH = 256;
    private static final int MAX_QUEUED = 10_000;
    /** Writer threads per lane: a batch waiting on a row lock does not hold up the next one. */
    private static final int WRITERS = 2;
    private static final String COLUMNS = "id, element, operation, request, pool, status, agent, attempt, timeout_ms, result, "
            + "error_code, error, created_at, dispatched_at, started_at, finished_at, lock_token, poll_id, on_locked";
    private static final String ELEMENT_COLUMNS = "name, address, vendor, model, snmp_version, snmp_port, snmp_community, "
            + "snmp_user, snmp_auth_protocol, snmp_auth_password, snmp_priv_protocol, snmp_priv_password, snmp_timeout_ms, "
            + "snmp_retries, snmp_max_repetitions, telnet_port, telnet_username, telnet_password, created_at, updated_at";
    private static final String INSERT_JOB = "INSERT INTO job (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_TRANSITION = "INSERT INTO job_transition (job_id, status, agent, attempt, at, detail) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_JOB = "UPDATE job SET status = ?, agent = ?, started_at = ?, finished_at = ?, result = ?, "
            + "error_code = ?, error = ? WHERE id = ?";

    @Inject
    ActiveDatabase database;

    @Inject
    MeterRegistry metrics;

    /**
     * A new job and its first transition. {@code check} is given the job's element as read in the job's transaction (null
     * when there is none) and throws when the job cannot run on it; the job is then not stored.
     */
    record NewJob(JobEntity job, JobTransitionEntity queued, Consumer<ElementEntity> check) {
    }

    /** A job stored, with its element; or the reason it was not. */
    record Stored(ElementEntity element, RuntimeException rejected) {
    }

    /** An agent's update; {@code result} is the JSON to store when the update finishes the job (null otherwise). */
    record Update(JobUpdate update, String result) {
    }

    /** What an update did: nothing, moved the job on, finished it, or must be applied in a JTA transaction. */
    enum Outcome {
        UNCHANGED, ADVANCED, FINISHED, TRANSACTIONAL
    }

    /** The outcome with the job as stored afterwards (null when unknown or unchanged). */
    record Applied(Outcome outcome, JobEntity job) {
    }

    private final Lane<NewJob, Stored> inserts = new Lane<>("dnc-job-inserts", this::writeInserts);
    private final Lane<Update, Applied> updates = new Lane<>("dnc-job-updates", this::writeUpdates);

    /** Stores a new job; completes once it is committed. */
    CompletableFuture<Stored> insert(NewJob job) {
        return inserts.submit(job);
    }

    /** Applies an update; completes once it is committed. */
    CompletableFuture<Applied> update(Update update) {
        return updates.submit(update);
    }

    @PreDestroy
    void stop() {
        inserts.stop();
        updates.stop();
    }

    // ------------------------------------------------------------------ inserts

    private List<Stored> writeInserts(Connection db, List<NewJob> batch) throws SQLException {
        Map<String, ElementEntity> elements = readElements(db, batch.stream().map(n -> n.job().element).toList());
        List<Stored> stored = new ArrayList<>(batch.size());
        try (PreparedStatement jobs = db.prepareStatement(INSERT_JOB);
                PreparedStatement transitions = db.prepareStatement(INSERT_TRANSITION)) {
            for (NewJob n : batch) {
                ElementEntity element = elements.get(n.job().element);
                try {
                    n.check().accept(element);
                } catch (RuntimeException e) {
                    stored.add(new Stored(null, e));
                    continue;
                }
                stored.add(new Stored(element, null));
                addJob(jobs, n.job());
                addTransition(transitions, n.queued());
            }
            jobs.executeBatch();
            transitions.executeBatch();
        }
        db.commit();
        return stored;
    }

    private static void addJob(PreparedStatement insert, JobEntity j) throws SQLException {
        insert.setString(1, j.id);
        insert.setString(2, j.element);
        insert.setString(3, j.operation);
        insert.setString(4, j.request);
        insert.setString(5, j.pool);
        insert.setString(6, j.status);
        insert.setString(7, j.agent);
        insert.setInt(8, j.attempt);
        insert.setInt(9, j.timeoutMs);
        insert.setString(10, j.result);
        insert.setString(11, j.errorCode);
        insert.setString(12, j.error);
        setInstant(insert, 13, j.createdAt);
        setInstant(insert, 14, j.dispatchedAt);
        setInstant(insert, 15, j.startedAt);
        setInstant(insert, 16, j.finishedAt);
        if (j.lockToken == null) {
            insert.setNull(17, Types.BIGINT);
        } else {
            insert.setLong(17, j.lockToken);
        }
        insert.setString(18, j.pollId);
        insert.setString(19, j.onLocked);
        insert.addBatch();
    }

    private static Map<String, ElementEntity> readElements(Connection db, List<String> named) throws SQLException {
        return selectIn(db, "SELECT " + ELEMENT_COLUMNS + " FROM network_element WHERE name IN (", List.copyOf(new LinkedHashSet<>(named)),
                ")", JobWriter::element, e -> e.name);
    }

    private static ElementEntity element(ResultSet r) throws SQLException {
        ElementEntity e = new ElementEntity();
        e.name = r.getString(1);
        e.address = r.getString(2);
        e.vendor = r.getString(3);
        e.model = r.getString(4);
        e.snmpVersion = r.getString(5);
        e.snmpPort = integer(r, 6);
        e.snmpCommunity = r.getString(7);
        e.snmpUser = r.getString(8);
        e.snmpAuthProtocol = r.getString(9);
        e.snmpAuthPassword = r.getString(10);
        e.snmpPrivProtocol = r.getString(11);
        e.snmpPrivPassword = r.getString(12);
        e.snmpTimeoutMs = integer(r, 13);
        e.snmpRetries = integer(r, 14);
        e.snmpMaxRepetitions = integer(r, 15);
        e.telnetPort = integer(r, 16);
        e.telnetUsername = r.getString(17);
        e.telnetPassword = r.getString(18);
        e.createdAt = instant(r, 19);
        e.updatedAt = instant(r, 20);
        return e;
    }

    private static Integer integer(ResultSet r, int index) throws SQLException {
        int value = r.getInt(index);
        return r.wasNull() ? null : value;
    }

    // ------------------------------------------------------------------ updates

    private List<Applied> writeUpdates(Connection db, List<Update> batch) throws SQLException {
        Map<String, JobEntity> jobs = lockJobs(db, batch);
        Set<String> transactional = new HashSet<>();
        Set<JobEntity> changed = new LinkedHashSet<>();
        List<JobTransitionEntity> transitions = new ArrayList<>();
        List<Applied> applied = new ArrayList<>(batch.size());
        for (Update u : batch) {
            JobEntity job = jobs.get(u.update().getJobId());
            if (job == null) {
                LOG.warnf("update for unknown job %s from agent %s ignored", u.update().getJobId(), u.update().getAgent());
                applied.add(new Applied(Outcome.UNCHANGED, null));
            } else if (job.pollId != null || transactional.contains(job.id)) {
                transactional.add(job.id); // this job's later updates follow it, in order
                applied.add(new Applied(Outcome.TRANSACTIONAL, null));
            } else {
                Outcome outcome = JobStore.advance(job, u.update(), u.result(), transitions::add);
                if (outcome != Outcome.UNCHANGED) {
                    changed.add(job);
                }
                applied.add(new Applied(outcome, outcome == Outcome.UNCHANGED ? null : job));
            }
        }
        if (!changed.isEmpty()) {
            try (PreparedStatement update = db.prepareStatement(UPDATE_JOB);
                    PreparedStatement insert = db.prepareStatement(INSERT_TRANSITION)) {
                for (JobEntity j : changed) {
                    update.setString(1, j.status);
                    update.setString(2, j.agent);
                    setInstant(update, 3, j.startedAt);
                    setInstant(update, 4, j.finishedAt);
                    update.setString(5, j.result);
                    update.setString(6, j.errorCode);
                    update.setString(7, j.error);
                    update.setString(8, j.id);
                    update.addBatch();
                }
                for (JobTransitionEntity t : transitions) {
                    addTransition(insert, t);
                }
                update.executeBatch();
                insert.executeBatch();
            }
        }
        db.commit();
        return applied;
    }

    /** Reads and row-locks every job the batch names, in id order so two dispatchers never lock each other out. */
    private static Map<String, JobEntity> lockJobs(Connection db, List<Update> batch) throws SQLException {
        List<String> ids = new ArrayList<>(new TreeSet<>(batch.stream().map(u -> u.update().getJobId()).toList()));
        return selectIn(db, "SELECT " + COLUMNS + " FROM job WHERE id IN (", ids, ") ORDER BY id FOR UPDATE", JobWriter::row,
                j -> j.id);
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** Rows whose key is one of {@code keys}: {@code head}, the padded IN list, {@code tail}; by key. */
    private static <T> Map<String, T> selectIn(Connection db, String head, List<String> keys, String tail, RowReader<T> reader,
            Function<T, String> keyOf) throws SQLException {
        Map<String, T> found = new HashMap<>();
        try (PreparedStatement select = db.prepareStatement(head + placeholders(keys.size()) + tail)) {
            bindPadded(select, keys);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    T row = reader.read(rows);
                    found.put(keyOf.apply(row), row);
                }
            }
        }
        return found;
    }

    /**
     * Placeholders for an IN list of {@code n} values, padded to a power of two so the database sees a handful of
     * statement shapes rather than one per batch size ({@link #bindPadded} repeats the last value).
     */
    private static String placeholders(int n) {
        int slots = n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
        return String.join(", ", Collections.nCopies(slots, "?"));
    }

    private static void bindPadded(PreparedStatement statement, List<String> values) throws SQLException {
        int slots = values.size() <= 1 ? 1 : Integer.highestOneBit(values.size() - 1) << 1;
        for (int i = 0; i < slots; i++) {
            statement.setString(i + 1, values.get(Math.min(i, values.size() - 1)));
        }
    }

    private static JobEntity row(ResultSet r) throws SQLException {
        JobEntity j = new JobEntity();
        j.id = r.getString(1);
        j.element = r.getString(2);
        j.operation = r.getString(3);
        j.request = r.getString(4);
        j.pool = r.getString(5);
        j.status = r.getString(6);
        j.agent = r.getString(7);
        j.attempt = r.getInt(8);
        j.timeoutMs = r.getInt(9);
        j.result = r.getString(10);
        j.errorCode = r.getString(11);
        j.error = r.getString(12);
        j.createdAt = instant(r, 13);
        j.dispatchedAt = instant(r, 14);
        j.startedAt = instant(r, 15);
        j.finishedAt = instant(r, 16);
        long token = r.getLong(17);
        j.lockToken = r.wasNull() ? null : token;
        j.pollId = r.getString(18);
        j.onLocked = r.getString(19);
        return j;
    }

    private static void addTransition(PreparedStatement insert, JobTransitionEntity t) throws SQLException {
        insert.setString(1, t.jobId);
        insert.setString(2, t.status);
        insert.setString(3, t.agent);
        insert.setInt(4, t.attempt);
        setInstant(insert, 5, t.at);
        insert.setString(6, t.detail);
        insert.addBatch();
    }

    private static void setInstant(PreparedStatement s, int index, Instant at) throws SQLException {
        if (at == null) {
            s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            s.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        }
    }

    private static Instant instant(ResultSet r, int index) throws SQLException {
        OffsetDateTime at = r.getObject(index, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    // ------------------------------------------------------------------ lanes

    /** Writes one batch in the open transaction of {@code db}, commits it, and returns one result per item. */
    @FunctionalInterface
    private interface BatchWrite<T, R> {
        List<R> write(Connection db, List<T> batch) throws SQLException;
    }

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    /** A queue with its writer threads, started on first use. Thread safety: the queue is concurrent; a batch is its writer's alone. */
    private final class Lane<T, R> {

        private final String name;
        private final BatchWrite<T, R> write;
        private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
        private final List<Thread> writers = new ArrayList<>();
        private volatile boolean stopped;
        private volatile boolean started;
        private DistributionSummary batchSize;
        private Timer batchTime;

        Lane(String name, BatchWrite<T, R> write) {
            this.name = name;
            this.write = write;
        }

        /** Never blocks (callers may be on an event loop): a full queue fails the item at once. */
        CompletableFuture<R> submit(T item) {
            start();
            CompletableFuture<R> result = new CompletableFuture<>();
            if (!queue.offer(new Pending<>(item, result))) {
                LOG.warnf("%s: %d writes waiting for the database; refusing more", name, MAX_QUEUED);
                result.completeExceptionally(new ApiException(503, "dispatcher_busy", "the dispatcher has " + MAX_QUEUED
                        + " job writes waiting for the database; try again shortly"));
                return result;
            }
            if (stopped) {
                failAll(new IllegalStateException("shutting down: job not written"));
            }
            return result;
        }

        private void start() {
            if (!started) { // checked without the lock on every write; taken once
                startWriters();
            }
        }

        private synchronized void startWriters() {
            if (!started && !stopped) {
                started = true;
                batchSize = DistributionSummary.builder("netwarden.dnc.job.write.batch.size").tag("lane", name)
                        .description("jobs or updates written per transaction").register(metrics);
                batchTime = Timer.builder("netwarden.dnc.job.write.batch.time").tag("lane", name)
                        .description("time to write and commit one batch").register(metrics);
                for (int i = 0; i < WRITERS; i++) {
                    writers.add(Thread.ofPlatform().name(name + "-" + i).daemon().start(this::run));
                }
            }
        }

        synchronized void stop() {
            stopped = true;
            writers.forEach(Thread::interrupt);
            for (Thread writer : writers) {
                try {
                    writer.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            failAll(new IllegalStateException("shutting down: job not written"));
        }

        private void failAll(RuntimeException e) {
            List<Pending<T, R>> left = new ArrayList<>();
            queue.drainTo(left);
            left.forEach(p -> p.result().completeExceptionally(e));
        }

        private void run() {
            List<Pending<T, R>> batch = new ArrayList<>(MAX_BATCH);
            while (!stopped) {
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    break;
                }
                queue.drainTo(batch, MAX_BATCH - 1);
                writeOrSplit(batch);
                batch.clear();
            }
        }

        /** Writes the batch in one transaction; when that fails, each item in a transaction of its own. */
        private void writeOrSplit(List<Pending<T, R>> batch) {
            try {
                long start = System.nanoTime();
                List<R> results = writeInTransaction(batch.stream().map(Pending::item).toList());
                batchTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                batchSize.record(batch.size());
                complete(batch, results);
            } catch (SQLException | RuntimeException e) {
                if (batch.size() == 1) {
                    LOG.warnf("%s: write failed: %s", name, e.getMessage());
                    batch.getFirst().result().completeExceptionally(e);
                    return;
                }
                LOG.debugf("%s: batch of %d failed (%s); writing its items one by one", name, batch.size(), e.getMessage());
                batch.forEach(p -> writeOrSplit(List.of(p)));
            }
        }

        private List<R> writeInTransaction(List<T> items) throws SQLException {
            try (Connection db = database.dataSource().getConnection()) {
                db.setAutoCommit(false);
                try {
                    return write.write(db, items);
                } catch (SQLException | RuntimeException e) {
                    rollback(db);
                    throw e;
                } finally {
                    restoreAutoCommit(db);
                }
            }
        }

        private void restoreAutoCommit(Connection db) {
            try {
                db.setAutoCommit(true);
            } catch (SQLException e) {
                LOG.debugf("%s: could not reset the connection: %s", name, e.getMessage());
            }
        }

        private void rollback(Connection db) {
            try {
                db.rollback();
            } catch (SQLException e) {
                LOG.debugf("%s: rollback failed: %s", name, e.getMessage());
            }
        }

        private void complete(List<Pending<T, R>> batch, List<R> results) {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        }
    }
}
