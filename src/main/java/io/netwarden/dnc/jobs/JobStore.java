package io.netwarden.dnc.jobs;

import static io.netwarden.dnc.Futures.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.dnc.elements.ElementEntity;
import io.netwarden.platform.api.ApiException;
import io.netwarden.proto.dnc.v1.JobUpdate;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Persistence of jobs. Every change of status is appended to the job's transitions in the same write ({@link JobHistory}).
 * Updates are applied only to the attempt they belong to and never to a finished job, so duplicates and late answers
 * from an agent that was given up on change nothing.
 */
@ApplicationScoped
public class JobStore {

    private static final Logger LOG = Logger.getLogger(JobStore.class);
    private static final List<String> FINISHED = java.util.Arrays.stream(JobStatus.values()).filter(JobStatus::finished)
            .map(JobStatus::id).toList();

    @Inject
    Session session;

    @Inject
    ObjectMapper json;

    @Inject
    Event<JobFinished> finished;

    @Inject
    JobWriter writer;

    /** Updates of poll jobs: applied in a JTA transaction, off the writer's thread. */
    private final ExecutorService transactions = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dnc-job-tx-", 0).factory());

    /** A new job as stored and as the API shows it on acceptance, with the element it runs on. */
    public record Created(JobEntity job, JobView view, ElementEntity element) {
    }

    /**
     * A new queued job, stored (in a batch with others, see {@link JobWriter}) already marked dispatched: the caller
     * publishes it right after, and the maintenance loop leaves it alone until {@code redispatch-after} (so the two never
     * publish it at once). {@code check} gets the element as read in the job's transaction (null if there is none) and
     * throws when the job cannot run on it; nothing is stored then. A provision that has to wait for its element's lock
     * is unmarked ({@link #markWaiting}) and retried on every maintenance round.
     */
    public CompletableFuture<Created> createAsync(String element, Operation operation, List<String> oids, List<String> commands,
            String pool, int timeoutMs, String onLocked, String pollId, Consumer<ElementEntity> check) {
        JobEntity job = new JobEntity();
        job.id = UUID.randomUUID().toString();
        job.element = element;
        job.operation = operation.id();
        ObjectNode request = json.createObjectNode();
        if (!oids.isEmpty()) {
            oids.forEach(request.putArray("oids")::add);
        }
        if (!commands.isEmpty()) {
            commands.forEach(request.putArray("commands")::add);
        }
        job.request = request.toString();
        job.pool = pool;
        job.status = JobStatus.QUEUED.id();
        job.attempt = 1;
        job.timeoutMs = timeoutMs;
        job.onLocked = onLocked;
        job.pollId = pollId;
        job.createdAt = Instant.now();
        job.dispatchedAt = job.createdAt;
        transition(job, null, job.createdAt);
        JobView view = view(job, null);
        return writer.insert(new JobWriter.NewJob(job, check)).thenApply(stored -> {
            if (stored.rejected() != null) {
                throw stored.rejected();
            }
            return new Created(job, view, stored.element());
        });
    }

    /** As {@link #createAsync}, waiting for the commit. */
    public Created create(String element, Operation operation, List<String> oids, List<String> commands, String pool,
            int timeoutMs, String onLocked, String pollId, Consumer<ElementEntity> check) {
        return await(createAsync(element, operation, oids, commands, pool, timeoutMs, onLocked, pollId, check));
    }

    @Transactional
    public Optional<JobView> view(String id, boolean withTransitions) {
        JobEntity job = id == null ? null : session.find(JobEntity.class, id);
        return Optional.ofNullable(job).map(j -> view(j, withTransitions ? JobHistory.read(j.transitions) : null));
    }

    @Transactional
    public List<JobView> list(String element, JobStatus status, int offset, int limit) {
        StringBuilder hql = new StringBuilder("from JobEntity where 1 = 1");
        if (element != null) {
            hql.append(" and element = :element");
        }
        if (status != null) {
            hql.append(" and status = :status");
        }
        hql.append(" order by createdAt desc, id");
        var query = session.createSelectionQuery(hql.toString(), JobEntity.class);
        if (element != null) {
            query.setParameter("element", element);
        }
        if (status != null) {
            query.setParameter("status", status.id());
        }
        return query.setFirstResult(offset).setMaxResults(limit).getResultList().stream().map(j -> view(j, null)).toList();
    }

    /** A queued job not published yet (a provision waiting for its lock): maintenance tries it on every round. */
    @Transactional
    public void markWaiting(String id, int attempt) {
        session.createMutationQuery("update JobEntity set dispatchedAt = null where id = :id and attempt = :attempt and status = :queued")
                .setParameter("id", id).setParameter("attempt", attempt).setParameter("queued", JobStatus.QUEUED.id())
                .executeUpdate();
    }

    @Transactional
    public void markDispatched(String id, int attempt, Instant at) {
        session.createMutationQuery("update JobEntity set dispatchedAt = :at where id = :id and attempt = :attempt and status = :queued")
                .setParameter("at", at).setParameter("id", id).setParameter("attempt", attempt)
                .setParameter("queued", JobStatus.QUEUED.id()).executeUpdate();
    }

    @Transactional
    public void setLockToken(String id, long token) {
        session.createMutationQuery("update JobEntity set lockToken = :token where id = :id")
                .setParameter("token", token).setParameter("id", id).executeUpdate();
    }

    /**
     * Applies an agent's update (parts already joined); completes, once committed, with the job when this update finished
     * it. Written in a batch with other updates ({@link JobWriter}); jobs of polls in a JTA transaction, with their samples.
     */
    public CompletableFuture<Optional<JobEntity>> applyAsync(JobUpdate update) {
        String result = finalStatus(update) ? result(update) : null;
        return writer.update(new JobWriter.Update(update, result)).thenCompose(applied -> switch (applied.outcome()) {
            case FINISHED -> {
                fireFinished(applied.job()); // after the commit: observers only export it
                yield CompletableFuture.completedFuture(Optional.of(applied.job()));
            }
            case TRANSACTIONAL -> CompletableFuture.supplyAsync(
                    () -> QuarkusTransaction.requiringNew().call(() -> applyInTransaction(update, result)), transactions);
            case ADVANCED, UNCHANGED -> CompletableFuture.completedFuture(Optional.empty());
        });
    }

    /** As {@link #applyAsync}, waiting for the commit. */
    public Optional<JobEntity> apply(JobUpdate update) {
        return await(applyAsync(update));
    }

    /** As {@link #apply}, through Hibernate in a JTA transaction of its own: samples of a poll's job are stored with its end. */
    private Optional<JobEntity> applyInTransaction(JobUpdate update, String result) {
        // updates are applied concurrently: the row lock keeps a late "running" from overwriting a final status
        JobEntity job = session.find(JobEntity.class, update.getJobId(), LockModeType.PESSIMISTIC_WRITE);
        if (job == null) {
            LOG.warnf("update for unknown job %s from agent %s ignored", update.getJobId(), update.getAgent());
            return Optional.empty();
        }
        if (advance(job, update, result) != JobWriter.Outcome.FINISHED) {
            return Optional.empty();
        }
        fireFinished(job); // in this transaction: polls store their samples with it
        return Optional.of(job);
    }

    /**
     * What an update does to a job, on the job itself (status, times, result, transitions). A stale update (other attempt,
     * finished job, repeated "running") changes nothing. {@code result}: the JSON to store if it finishes.
     */
    static JobWriter.Outcome advance(JobEntity job, JobUpdate update, String result) {
        JobStatus current = JobStatus.parse(job.status);
        if (current.finished() || update.getAttempt() != job.attempt) {
            LOG.debugf("stale update for job %s (attempt %d, job at attempt %d, %s) ignored", job.id, update.getAttempt(),
                    job.attempt, job.status);
            return JobWriter.Outcome.UNCHANGED;
        }
        JobStatus next = switch (update.getStatus()) {
            case JOB_STATUS_RUNNING -> JobStatus.RUNNING;
            case JOB_STATUS_SUCCEEDED -> JobStatus.SUCCEEDED;
            case JOB_STATUS_FAILED -> JobStatus.FAILED;
            case JOB_STATUS_TIMED_OUT -> JobStatus.TIMED_OUT;
            default -> null;
        };
        if (next == null) {
            LOG.warnf("update for job %s with status %s ignored", job.id, update.getStatus());
            return JobWriter.Outcome.UNCHANGED;
        }
        if (next == JobStatus.RUNNING && current == JobStatus.RUNNING) {
            return JobWriter.Outcome.UNCHANGED; // a repeated "running" adds nothing
        }
        Instant at = update.getAtEpochMs() > 0 ? Instant.ofEpochMilli(update.getAtEpochMs()) : Instant.now();
        job.agent = update.getAgent().isEmpty() ? job.agent : update.getAgent();
        if (next == JobStatus.RUNNING) {
            job.status = next.id();
            job.startedAt = at;
            transition(job, null, at); // the agent's time, as startedAt
            return JobWriter.Outcome.ADVANCED;
        }
        if (current == JobStatus.QUEUED) {
            // the final update overtook the "running" one: record that transition first, at the agent's start time
            job.status = JobStatus.RUNNING.id();
            job.startedAt = update.getStartedAtEpochMs() > 0 ? Instant.ofEpochMilli(update.getStartedAtEpochMs()) : at;
            transition(job, null, job.startedAt);
        }
        job.status = next.id();
        job.finishedAt = at;
        if (job.startedAt == null) {
            job.startedAt = at;
        }
        job.result = result;
        if (next != JobStatus.SUCCEEDED) {
            job.errorCode = update.getErrorCode().isEmpty() ? null : update.getErrorCode();
            job.error = truncate(update.getError());
        }
        transition(job, job.errorCode, at); // the agent's time, as finishedAt
        return JobWriter.Outcome.FINISHED;
    }

    private static boolean finalStatus(JobUpdate update) {
        return switch (update.getStatus()) {
            case JOB_STATUS_SUCCEEDED, JOB_STATUS_FAILED, JOB_STATUS_TIMED_OUT -> true;
            default -> false;
        };
    }

    /** Finishes a job from the dispatcher's side (no agent answer in time). */
    @Transactional
    public Optional<JobEntity> finishWithoutAgent(String id, int attempt, JobStatus status, String code, String error) {
        JobEntity job = session.find(JobEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (job == null || job.attempt != attempt || JobStatus.parse(job.status).finished()) {
            return Optional.empty();
        }
        job.status = status.id();
        job.errorCode = code;
        job.error = truncate(error);
        job.finishedAt = Instant.now();
        transition(job, code, job.finishedAt);
        fireFinished(job);
        return Optional.of(job);
    }

    /** Puts a running job back in the queue for another agent; a no-op if the job moved on meanwhile. */
    @Transactional
    public Optional<JobEntity> requeue(String id, int attempt, String reason) {
        JobEntity job = session.find(JobEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (job == null || job.attempt != attempt || JobStatus.parse(job.status).finished()) {
            return Optional.empty();
        }
        job.attempt = attempt + 1;
        job.status = JobStatus.QUEUED.id();
        job.agent = null;
        job.startedAt = null;
        job.dispatchedAt = null;
        transition(job, reason, Instant.now());
        return Optional.of(job);
    }

    /** Queued jobs not published since {@code cutoff} (or never). */
    @Transactional
    public List<JobEntity> queuedNotDispatchedSince(Instant cutoff, int limit) {
        return session.createSelectionQuery(
                "from JobEntity where status = :queued and (dispatchedAt is null or dispatchedAt < :cutoff) order by createdAt",
                JobEntity.class).setParameter("queued", JobStatus.QUEUED.id()).setParameter("cutoff", cutoff)
                .setMaxResults(limit).getResultList();
    }

    /** 404 for a job id; the id is quoted only when it looks like one. */
    public static ApiException notFound(String id) {
        return new ApiException(404, "job_not_found",
                id != null && id.matches("[0-9a-f-]{1,36}") ? "no job with id '" + id + "'" : "no such job");
    }

    /** The job, if it is still queued. */
    @Transactional
    public Optional<JobEntity> queued(String id) {
        return find(id).filter(job -> JobStatus.QUEUED.id().equals(job.status));
    }

    @Transactional
    public Optional<JobEntity> find(String id) {
        return Optional.ofNullable(id == null || id.length() > 36 ? null : session.find(JobEntity.class, id));
    }

    /** Those of the given jobs that have finished. */
    @Transactional
    public List<String> finishedAmong(List<String> ids) {
        return session.createSelectionQuery("select id from JobEntity where id in :ids and status in :finished", String.class)
                .setParameter("ids", ids).setParameter("finished", FINISHED).getResultList();
    }

    @Transactional
    public List<JobEntity> withStatus(JobStatus status, int limit) {
        return session.createSelectionQuery("from JobEntity where status = :status order by createdAt", JobEntity.class)
                .setParameter("status", status.id()).setMaxResults(limit).getResultList();
    }

    private void fireFinished(JobEntity job) {
        finished.fire(new JobFinished(job.id, job.element, job.operation, job.status, job.agent, job.error, job.finishedAt,
                job.pollId));
    }

    /** Records the job's current status, agent and attempt as reached at {@code at}. */
    private static void transition(JobEntity job, String detail, Instant at) {
        job.transitions = JobHistory.append(job.transitions, new JobView.Transition(job.status, job.agent, job.attempt, at, detail));
    }

    private String result(JobUpdate update) {
        ObjectNode result = json.createObjectNode();
        if (update.getVarbindsCount() > 0 || update.getOutputsCount() == 0) {
            ArrayNode varbinds = result.putArray("varbinds");
            update.getVarbindsList().forEach(vb -> varbinds.addObject().put("oid", vb.getOid()).put("type", vb.getType())
                    .put("value", vb.getValue()));
        }
        if (update.getOutputsCount() > 0) {
            ArrayNode outputs = result.putArray("outputs");
            update.getOutputsList().forEach(o -> outputs.addObject().put("command", o.getCommand()).put("output", o.getOutput()));
        }
        return result.toString();
    }

    /** The OIDs and commands a job was submitted with, read from its row. */
    public record Work(List<String> oids, List<String> commands) {
    }

    public Work work(JobEntity job) {
        try {
            JsonNode request = json.readTree(job.request);
            return new Work(Optional.ofNullable(strings(request.get("oids"))).orElse(List.of()),
                    Optional.ofNullable(strings(request.get("commands"))).orElse(List.of()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job " + job.id + " holds unreadable JSON", e);
        }
    }

    /** A job as the API shows it, without its transitions. */
    public JobView view(JobEntity job) {
        return view(job, null);
    }

    private JobView view(JobEntity j, List<JobView.Transition> transitions) {
        try {
            JsonNode request = json.readTree(j.request);
            JsonNode result = j.result == null ? null : json.readTree(j.result);
            return new JobView(j.id, j.element, j.operation, j.status, j.agent, result, j.error, j.errorCode,
                    strings(request.get("oids")), strings(request.get("commands")), j.attempt, j.createdAt, j.startedAt,
                    j.finishedAt, transitions);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job " + j.id + " holds unreadable JSON", e);
        }
    }

    private static List<String> strings(JsonNode array) {
        if (array == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String truncate(String s) {
        return JobHistory.truncate(s);
    }
}
