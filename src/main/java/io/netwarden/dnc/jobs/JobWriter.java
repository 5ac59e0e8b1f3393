package io.netwarden.dnc.jobs;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netwarden.dnc.elements.ElementEntity;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.Transactions;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 *   API threads ──── new jobs ──▶ ┐
 *                                 ├▶ queue ─▶ writer thread: SELECT network_element (names of the new jobs), check each
 *   update threads ─ updates ───▶ ┘           against its element, INSERT job ×n; SELECT job … FOR UPDATE (ids of the
 *                                             updates), advance each job in arrival order, UPDATE job ×m; COMMIT
 * </pre>
 *
 * Why not Hibernate here: every statement is a round trip to the database, and on a small box those wake-ups and the
 * commits' flushes, not the SQL, cost most of a job (docs/adr/0004-job-writes-in-batches.md). Callers wait until their
 * batch has committed, so an accepted job is exactly as durable as one written alone. A batch that fails is rolled back
 * and its items are written again one per transaction, so a bad item fails alone. Jobs of scheduled polls are answered
 * {@link Outcome#TRANSACTIONAL}: their samples are stored with the job's end in one JTA transaction by {@link JobStore}.
 * Thread safety: two writer threads take batches from one queue; a batch, its connection and the rows it read belong to
 * the one writer that took it (two batches naming one job meet at its row lock, and {@link JobStore#advance} accepts
 * updates in any order); callers get results through futures.
 */
@ApplicationScoped
public class JobWriter {

    private static final Logger LOG = Logger.getLogger(JobWriter.class);
    private static final int MAX_BATCH = 256;
    private static final int MAX_QUEUED = 10_000;
    /** Writer threads: a batch waiting on a row lock or a commit does not hold up the next one. */
    private static final int WRITERS = 2;
    private static final String COLUMNS = "id, element, operation, request, pool, status, agent, attempt, timeout_ms, result, "
            + "error_code, error, created_at, dispatched_at, started_at, finished_at, lock_token, poll_id, on_locked, transitions";
    private static final String ELEMENT_COLUMNS = "name, address, vendor, model, snmp_version, snmp_port, snmp_community, "
            + "snmp_user, snmp_auth_protocol, snmp_auth_password, snmp_priv_protocol, snmp_priv_password, snmp_timeout_ms, "
            + "snmp_retries, snmp_max_repetitions, telnet_port, telnet_username, telnet_password, created_at, updated_at";
    private static final String INSERT_JOB = "INSERT INTO job (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_JOB = "UPDATE job SET status = ?, agent = ?, started_at = ?, finished_at = ?, result = ?, "
            + "error_code = ?, error = ?, transitions = ? WHERE id = ?";
    private static final String UPDATE_JOB_GUARDED = UPDATE_JOB + " AND status = ? AND attempt = ?";
    /** Jobs remembered as last written, so their next update needs no read (see {@link #writeUpdates}). */
    private static final int KNOWN_JOBS = 10_000;

    @Inject
    ActiveDatabase database;

    @Inject
    MeterRegistry metrics;

    /** Something to write; {@code R} is what its caller is told once it is committed. */
    sealed interface Write<R> permits NewJob, Update {
    }

    /**
     * A new job, its first transition included. {@code check} is given the job's element as read in the job's transaction
     * (null when there is none) and throws when the job cannot run on it; the job is then not stored.
     */
    record NewJob(JobEntity job, Consumer<ElementEntity> check) implements Write<Stored> {
    }

    /** A job stored, with its element; or the reason it was not. */
    record Stored(ElementEntity element, RuntimeException rejected) {
    }

    /** An agent's update; {@code result} is the JSON to store when the update finishes the job (null otherwise). */
    record Update(JobUpdate update, String result) implements Write<Applied> {
    }

    /** What an update did: nothing, moved the job on, finished it, or must be applied in a JTA transaction. */
    enum Outcome {
        UNCHANGED, ADVANCED, FINISHED, TRANSACTIONAL
    }

    /** The outcome with the job as stored afterwards (null when unknown or unchanged). */
    record Applied(Outcome outcome, JobEntity job) {
    }

    private final Lane lane = new Lane("dnc-job-writes");

    /**
     * Unfinished jobs as this dispatcher last committed them, by id; the eldest are forgotten beyond {@link #KNOWN_JOBS}.
     * Entries are never changed, only replaced (writers change copies).
     */
    private final Map<String, JobEntity> known = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobEntity> eldest) {
            return size() > KNOWN_JOBS;
        }
    });

    /** Stores a new job; completes once it is committed. */
    CompletableFuture<Stored> insert(NewJob job) {
        return lane.submit(job);
    }

    /** Applies an update; completes once it is committed. */
    CompletableFuture<Applied> update(Update update) {
        return lane.submit(update);
    }

    @PreDestroy
    void stop() {
        lane.stop();
    }

    /**
     * Writes a batch in the open transaction of {@code db} and commits it: the new jobs, then the updates, whatever their
     * order in the batch (no update can name a job of the same batch: a job is published only once it is committed).
     * Returns one result per item, in batch order.
     */
    private List<Object> write(Connection db, List<Write<?>> batch) throws SQLException {
        List<NewJob> inserts = new ArrayList<>();
        List<Update> updates = new ArrayList<>();
        for (Write<?> w : batch) {
            switch (w) {
                case NewJob n -> inserts.add(n);
                case Update u -> updates.add(u);
            }
        }
        List<JobEntity> written = new ArrayList<>();
        Iterator<Stored> stored = inserts.isEmpty() ? Collections.emptyIterator() : writeInserts(db, inserts, written).iterator();
        Iterator<Applied> applied = updates.isEmpty() ? Collections.emptyIterator() : writeUpdates(db, updates, written).iterator();
        db.commit();
        remember(written);
        List<Object> results = new ArrayList<>(batch.size());
        for (Write<?> w : batch) {
            results.add(w instanceof NewJob ? stored.next() : applied.next());
        }
        return results;
    }

    // ------------------------------------------------------------------ inserts

    /** Checks each new job against its element and inserts those that pass ({@code written} gets them). */
    private List<Stored> writeInserts(Connection db, List<NewJob> batch, List<JobEntity> written) throws SQLException {
        Map<String, ElementEntity> elements = readElements(db, batch.stream().map(n -> n.job().element).toList());
        List<Stored> stored = new ArrayList<>(batch.size());
        boolean any = false;
        try (PreparedStatement jobs = db.prepareStatement(INSERT_JOB)) {
            for (NewJob n : batch) {
                Stored checked = checked(n, elements.get(n.job().element));
                stored.add(checked);
                if (checked.rejected() != null) {
                    continue;
                }
                addJob(jobs, n.job());
                written.add(n.job());
                any = true;
            }
            if (any) {
                jobs.executeBatch();
            }
        }
        return stored;
    }

    /** The new job checked against its element (null: none): stored with it, or refused with the check's reason. */
    private static Stored checked(NewJob n, ElementEntity element) {
        try {
            n.check().accept(element);
            return new Stored(element, null);
        } catch (RuntimeException refused) {
            return new Stored(null, refused);
        }
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
        insert.setString(20, j.transitions);
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

    /**
     * Applies the updates to their jobs. A job this dispatcher wrote last is taken from {@link #known} and written back
     * only if its row still has the status and attempt it was written with; any other job, and one whose row changed
     * meanwhile (re-queued, ended by the maintenance loop or another dispatcher), is read and row-locked first.
     * {@code written} gets every job changed. Rows are locked in id order within each step; two writers that see one job
     * differently (one remembers it, one not yet) can still lock two rows in opposite orders: the database breaks that
     * rare deadlock, and both batches are written again item by item.
     */
    private List<Applied> writeUpdates(Connection db, List<Update> batch, List<JobEntity> written) throws SQLException {
        Map<String, List<Integer>> byJob = new TreeMap<>(); // by id: rows are locked in id order
        for (int i = 0; i < batch.size(); i++) {
            byJob.computeIfAbsent(batch.get(i).update().getJobId(), k -> new ArrayList<>()).add(i);
        }
        Applied[] applied = new Applied[batch.size()];
        Map<String, JobEntity> jobs = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String id : byJob.keySet()) {
            JobEntity last = known.get(id);
            if (last != null) {
                jobs.put(id, copyOf(last));
            } else {
                unknown.add(id);
            }
        }
        Map<String, JobEntity> locked = lockJobs(db, unknown);
        List<Guarded> guarded = new ArrayList<>();
        List<JobEntity> plain = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byJob.entrySet()) {
            boolean remembered = !locked.containsKey(e.getKey()) && jobs.containsKey(e.getKey());
            JobEntity job = remembered ? jobs.get(e.getKey()) : locked.get(e.getKey());
            Guarded before = remembered ? new Guarded(job, job.status, job.attempt) : null;
            boolean changed = advanceAll(job, e.getKey(), e.getValue(), batch, applied);
            if (remembered && !changed) {
                moved.add(e.getKey()); // stale by what this writer remembers: maybe not by the row (re-queued since)
            } else if (changed) {
                if (remembered) {
                    guarded.add(before);
                } else {
                    plain.add(job);
                }
            }
        }
        moved.addAll(updateGuarded(db, guarded));
        Collections.sort(moved);
        if (!moved.isEmpty()) {
            LOG.debugf("%d jobs changed since this dispatcher wrote them; reading them again", moved.size());
            Map<String, JobEntity> fresh = lockJobs(db, moved);
            for (String id : moved) {
                if (advanceAll(fresh.get(id), id, byJob.get(id), batch, applied)) {
                    plain.add(fresh.get(id));
                }
            }
        }
        if (!plain.isEmpty()) {
            try (PreparedStatement update = db.prepareStatement(UPDATE_JOB)) {
                for (JobEntity j : plain) {
                    bindUpdate(update, j);
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
        guarded.stream().filter(g -> !moved.contains(g.job().id)).forEach(g -> written.add(g.job()));
        written.addAll(plain);
        return List.of(applied);
    }

    /** A job taken from {@link #known}, changed, with the status and attempt its row had when it was written. */
    private record Guarded(JobEntity job, String status, int attempt) {
    }

    /**
     * Applies the updates at {@code indexes} (in order) to {@code job} (null: no such job), filling in their results;
     * says whether the job changed.
     */
    private static boolean advanceAll(JobEntity job, String id, List<Integer> indexes, List<Update> batch, Applied[] applied) {
        boolean changed = false;
        for (int i : indexes) {
            Update u = batch.get(i);
            if (job == null) {
                LOG.warnf("update for unknown job %s from agent %s ignored", id, u.update().getAgent());
                applied[i] = new Applied(Outcome.UNCHANGED, null);
            } else if (job.pollId != null) {
                applied[i] = new Applied(Outcome.TRANSACTIONAL, null); // all its updates, in order
            } else {
                Outcome outcome = JobStore.advance(job, u.update(), u.result());
                changed |= outcome != Outcome.UNCHANGED;
                applied[i] = new Applied(outcome, outcome == Outcome.UNCHANGED ? null : job);
            }
        }
        return changed;
    }

    /** Writes the guarded jobs whose rows are as they were written; returns the ids of those whose rows moved on. */
    private static List<String> updateGuarded(Connection db, List<Guarded> guarded) throws SQLException {
        if (guarded.isEmpty()) {
            return List.of();
        }
        int[] counts;
        try (PreparedStatement update = db.prepareStatement(UPDATE_JOB_GUARDED)) {
            for (Guarded g : guarded) {
                bindUpdate(update, g.job());
                update.setString(10, g.status());
                update.setInt(11, g.attempt());
                update.addBatch();
            }
            counts = update.executeBatch();
        }
        List<String> moved = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) { // SUCCESS_NO_INFO (-2) is not a driver of ours: H2 and pgjdbc count updates
                moved.add(guarded.get(i).job().id);
            }
        }
        return moved;
    }

    private static void bindUpdate(PreparedStatement update, JobEntity j) throws SQLException {
        update.setString(1, j.status);
        update.setString(2, j.agent);
        setInstant(update, 3, j.startedAt);
        setInstant(update, 4, j.finishedAt);
        update.setString(5, j.result);
        update.setString(6, j.errorCode);
        update.setString(7, j.error);
        update.setString(8, j.transitions);
        update.setString(9, j.id);
    }

    /**
     * After a commit: remembers the jobs written as they are now stored, forgets those that ended. Not remembered: jobs
     * of polls (written by {@link JobStore} in JTA transactions) and provisions (their lock token is set elsewhere).
     */
    private void remember(List<JobEntity> written) {
        for (JobEntity j : written) {
            if (j.pollId != null || Operation.PROVISION.id().equals(j.operation) || JobStatus.parse(j.status).finished()) {
                known.remove(j.id);
            } else {
                known.put(j.id, copyOf(j));
            }
        }
    }

    private static JobEntity copyOf(JobEntity j) {
        JobEntity c = new JobEntity();
        c.id = j.id;
        c.element = j.element;
        c.operation = j.operation;
        c.request = j.request;
        c.pool = j.pool;
        c.status = j.status;
        c.agent = j.agent;
        c.attempt = j.attempt;
        c.timeoutMs = j.timeoutMs;
        c.result = j.result;
        c.errorCode = j.errorCode;
        c.error = j.error;
        c.createdAt = j.createdAt;
        c.dispatchedAt = j.dispatchedAt;
        c.startedAt = j.startedAt;
        c.finishedAt = j.finishedAt;
        c.lockToken = j.lockToken;
        c.pollId = j.pollId;
        c.onLocked = j.onLocked;
        c.transitions = j.transitions;
        return c;
    }

    /** Reads and row-locks the jobs, in id order so two writers never lock each other out. */
    private static Map<String, JobEntity> lockJobs(Connection db, List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Map.of();
        }
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
        j.transitions = r.getString(20);
        return j;
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

    /** Whether the failure, or one chained to it, is a unique-key violation (SQLSTATE 23505 on H2 and PostgreSQL). */
    private static boolean duplicateKey(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (SQLException s = t instanceof SQLException e ? e : null; s != null; s = s.getNextException()) {
                if ("23505".equals(s.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An item with its caller's future; the future's type is the item's {@code R} (see {@link Lane#submit}). */
    private record Pending(Write<?> item, CompletableFuture<Object> result) {
    }

    /** A queue with its writer threads, started on first use. Thread safety: the queue is concurrent; a batch is its writer's alone. */
    private final class Lane {

        private final String name;
        private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
        private final List<Thread> writers = new ArrayList<>();
        private volatile boolean stopped;
        private volatile boolean started;
        private DistributionSummary batchSize;
        private Timer batchTime;

        Lane(String name) {
            this.name = name;
        }

        /** Never blocks (callers may be on an event loop): a full queue fails the item at once. */
        @SuppressWarnings("unchecked") // write(…) answers each item with its R, in batch order
        <R> CompletableFuture<R> submit(Write<R> item) {
            start();
            CompletableFuture<R> result = new CompletableFuture<>();
            if (!queue.offer(new Pending(item, (CompletableFuture<Object>) result))) {
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
            List<Pending> left = new ArrayList<>();
            queue.drainTo(left);
            left.forEach(p -> p.result().completeExceptionally(e));
        }

        private void run() {
            List<Pending> batch = new ArrayList<>(MAX_BATCH);
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
        private void writeOrSplit(List<Pending> batch) {
            try {
                long start = System.nanoTime();
                List<Object> results = writeInTransaction(batch.stream().<Write<?>>map(Pending::item).toList());
                batchTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                batchSize.record(batch.size());
                complete(batch, results);
            } catch (SQLException | RuntimeException e) {
                if (batch.size() == 1) {
                    Pending only = batch.getFirst();
                    Stored earlier = only.item() instanceof NewJob n && duplicateKey(e) ? storedEarlier(n) : null;
                    if (earlier != null) {
                        only.result().complete(earlier);
                        return;
                    }
                    LOG.warnf("%s: write failed: %s", name, DatabaseErrors.safeMessage(e));
                    only.result().completeExceptionally(e);
                    return;
                }
                LOG.debugf("%s: batch of %d failed (%s); writing its items one by one", name, batch.size(),
                        DatabaseErrors.safeMessage(e));
                batch.forEach(p -> writeOrSplit(List.of(p)));
            }
        }

        /**
         * A new job whose insert broke the primary key after its batch failed: when the row holds this very job, the
         * batch's commit went through although it looked failed (the connection dropped during COMMIT, say), and the job
         * is stored. Returns it as stored then, checked against its element as it is now; null otherwise.
         */
        private Stored storedEarlier(NewJob n) {
            JobEntity j = n.job();
            try (Connection db = database.dataSource().getConnection();
                    PreparedStatement select = db.prepareStatement("SELECT element, operation, request FROM job WHERE id = ?")) {
                select.setString(1, j.id);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next() || !j.element.equals(row.getString(1)) || !j.operation.equals(row.getString(2))
                            || !j.request.equals(row.getString(3))) {
                        return null;
                    }
                }
                LOG.infof("%s: job %s had been stored by a commit that looked failed", name, j.id);
                // a refusal now means the element changed since; the maintenance loop ends the stored job
                return checked(n, readElements(db, List.of(j.element)).get(j.element));
            } catch (SQLException e) {
                LOG.debugf("%s: could not look for job %s: %s", name, j.id, DatabaseErrors.safeMessage(e));
                return null;
            }
        }

        private List<Object> writeInTransaction(List<Write<?>> items) throws SQLException {
            try (Connection db = database.dataSource().getConnection()) {
                return Transactions.inTransaction(db, () -> write(db, items));
            }
        }

        private void complete(List<Pending> batch, List<Object> results) {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        }
    }
}
