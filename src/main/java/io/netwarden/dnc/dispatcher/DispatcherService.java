package io.netwarden.dnc.dispatcher;

import static io.netwarden.dnc.Futures.await;
import static io.netwarden.dnc.Futures.cause;
import static io.netwarden.dnc.Futures.unwrapped;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netwarden.dnc.DncSubjects;
import io.netwarden.dnc.elements.ElementEntity;
import io.netwarden.dnc.elements.ElementLocks;
import io.netwarden.dnc.elements.Elements;
import io.netwarden.dnc.jobs.JobEntity;
import io.netwarden.dnc.jobs.JobStatus;
import io.netwarden.dnc.jobs.JobStore;
import io.netwarden.dnc.jobs.JobSubmission;
import io.netwarden.dnc.jobs.JobView;
import io.netwarden.dnc.jobs.Operation;
import io.netwarden.dnc.snmp.Oid;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.platform.messaging.BusMessage;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.Subjects;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.proto.dnc.v1.AgentHello;
import io.netwarden.proto.dnc.v1.ElementTarget;
import io.netwarden.proto.dnc.v1.JobRequest;
import io.netwarden.proto.dnc.v1.JobUpdate;
import io.netwarden.proto.dnc.v1.SnmpSettings;
import io.netwarden.proto.dnc.v1.TelnetSettings;
import io.netwarden.platform.api.Durations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The dispatcher role: takes jobs, queues them for agents, records what agents report.
 *
 * <pre>
 *   POST /api/v1/jobs ─▶ job row (queued) ─▶ JobRequest on dnc.jobs.&lt;pool&gt; (one agent of the queue group takes it)
 *   agent ─▶ JobUpdate on dnc.updates (queue group: any dispatcher) ─▶ job row + transition ─▶ JobFinished event
 *                                                                   └▶ dnc.finished.&lt;id&gt; wakes ?wait= callers of the
 *                                                                      other dispatchers (sent only while there are any)
 *   dispatchers ─▶ dnc.dispatchers.&lt;instance&gt;.hello: who else may be waiting for the jobs this one finishes
 *   maintenance (every interval): re-publish queued jobs nobody started, re-queue jobs of silent agents, time out,
 *                                 look up in the database jobs waited for longer than a few seconds (news can be lost)
 * </pre>
 *
 * Delivery is at-least-once: the database is the truth; a job stays queued until an agent reports on it, and agents
 * ignore duplicates by job id and attempt. Thread safety: message handlers and the maintenance thread share only the
 * database (updates are conditional on attempt and status), the concurrent part buffer and the thread-safe directory.
 */
@ApplicationScoped
public class DispatcherService implements RoleService {

    private static final Logger LOG = Logger.getLogger(DispatcherService.class);
    private static final Duration MAX_WAIT = Duration.ofMinutes(5);
    private static final int MAX_OIDS = 128;
    /** Column widths of the job table: an element name and a pool name. */
    private static final int MAX_ELEMENT_NAME = 128;
    private static final int MAX_POOL = 64;
    private static final int MAX_COMMANDS = 256;
    private static final int MAX_COMMAND_LENGTH = 4096;
    /** Updates up to this size are decoded on the NATS thread; larger ones on a virtual thread. */
    private static final int INLINE_UPDATE_BYTES = 16 * 1024;
    /** Results up to this size are turned into the API's view on the thread that stored them. */
    private static final int INLINE_VIEW_CHARS = 16 * 1024;
    /** Waiters not woken within this time look the job up in the database (its end may have been announced while lost). */
    private static final Duration WAITER_LOOKUP_AFTER = Duration.ofSeconds(2);

    @Inject
    DispatcherConfig config;

    @Inject
    Messaging messaging;

    @Inject
    JobStore store;

    @Inject
    Elements elements;

    @Inject
    AgentDirectory agents;

    @Inject
    ElementLocks locks;

    @Inject
    io.netwarden.dnc.polls.Polls polls;

    @Inject
    JobWaiters waiters;

    @Inject
    NodeIdentity node;

    @Inject
    MeterRegistry metrics;

    private final List<Messaging.Subscription> subscriptions = new ArrayList<>();
    /** Work that blocks (Hibernate, element locks, big updates): never on the event loop, NATS or writer threads. */
    private final java.util.concurrent.ExecutorService blockingWork =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dnc-dispatcher-", 0).factory());
    private final Map<String, PartBuffer> parts = new ConcurrentHashMap<>();
    private ScheduledExecutorService maintenance;
    private Instant lastPrune = Instant.EPOCH;
    /** Other dispatchers, by instance, and when each was last heard. */
    private final Map<String, Instant> peers = new ConcurrentHashMap<>();
    private volatile Instant lastHello = Instant.EPOCH;
    private Counter foundInDatabase;
    private ElementAdmission admission;
    /** Jobs cancelled through the API lately: one whose agent vanishes is not put back in the queue. */
    private final Map<String, Boolean> cancelRequested = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            });

    /** Parts of a multi-part result, by job id and attempt. */
    private record PartBuffer(Instant started, JobUpdate[] received) {
    }

    @Override
    public Role role() {
        return Role.DISPATCHER;
    }

    @Override
    public int order() {
        return 50; // before the agent in an all-in-one process, so no update finds it unready
    }

    @Override
    public void start() {
        Subjects.requireToken("netwarden.dnc.dispatcher.pool", config.pool());
        if (config.jobTimeout().isNegative() || config.jobTimeout().isZero()) {
            throw new IllegalArgumentException("netwarden.dnc.dispatcher.job-timeout must be positive");
        }
        admission = new ElementAdmission(config.maxJobsPerElement(), System::nanoTime);
        Gauge.builder("netwarden.dnc.jobs.waiting.for.element", admission, ElementAdmission::waitingTotal)
                .description("queued jobs waiting because their element has max-jobs-per-element with agents").register(metrics);
        subscriptions.add(messaging.subscribe(DncSubjects.UPDATES, Optional.of("dispatchers"), this::onUpdate));
        subscriptions.add(messaging.subscribe(DncSubjects.HELLO_ALL, Optional.empty(), this::onHello));
        subscriptions.add(messaging.subscribe(DncSubjects.FINISHED_ALL, Optional.empty(), this::onFinished));
        subscriptions.add(messaging.subscribe(DncSubjects.DISPATCHER_HELLO_ALL, Optional.empty(), this::onDispatcherHello));
        foundInDatabase = Counter.builder("netwarden.dnc.waiters.found.in.database")
                .description("callers waiting for a job whose end was not announced to this dispatcher; found by looking")
                .register(metrics);
        sayHello();
        maintenance = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("dnc-dispatcher-maintenance").daemon().factory());
        long every = Math.max(100, config.maintenanceInterval().toMillis());
        maintenance.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.MILLISECONDS);
        LOG.infof("dispatcher: pool=%s job-timeout=%s agent-timeout=%s max-jobs-per-element=%d", config.pool(), config.jobTimeout(),
                config.agentTimeout(), config.maxJobsPerElement());
    }

    @Override
    public void resync(String reason) {
        sayHello();
        // messages published while the link was down may be gone: publish every queued job again
        List<JobEntity> queued = store.withStatus(JobStatus.QUEUED, 10_000);
        queued.forEach(this::publish);
        LOG.infof("dispatcher resync after %s: re-published %d queued jobs", reason, queued.size());
    }

    @Override
    public void stop(Duration drain) {
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        subscriptions.forEach(Messaging.Subscription::close);
        subscriptions.clear();
        blockingWork.shutdown();
        try {
            blockingWork.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ submit

    /** Validates, stores and queues a job. Bad input changes nothing. */
    public JobView submit(JobSubmission submission) {
        return await(submitAsync(submission, null, Duration.ZERO));
    }

    /** As {@link #submit(JobSubmission)}, for a run of the scheduled poll {@code pollId}. */
    public JobView submit(JobSubmission submission, String pollId) {
        return await(submitAsync(submission, pollId, Duration.ZERO));
    }

    /**
     * As {@link #submit(JobSubmission)}, then waits until the job has finished or {@code wait} has passed; returns its
     * state then. The waiter is in place before the job is published, so even the fastest agent cannot be missed, and a
     * job finished by this dispatcher is answered without reading it back.
     */
    public JobView submitAndWait(JobSubmission submission, Duration wait) {
        return await(submitAsync(submission, null, wait));
    }

    /**
     * As {@link #submitAndWait} without holding a thread: for the REST API on the event loop. Bad input throws at once;
     * failures later (element missing, database) fail the returned stage with the {@link ApiException} or cause itself.
     */
    public CompletableFuture<JobView> submitAsync(JobSubmission submission, Duration wait) {
        return submitAsync(submission, null, wait);
    }

    /**
     * Completes when the job finishes: with the job when this dispatcher recorded the end, with null when another one
     * did. Complete it yourself when no longer interested, so it is forgotten.
     */
    public CompletableFuture<JobEntity> whenFinished(String jobId) {
        return waiters.register(jobId);
    }

    private CompletableFuture<JobView> submitAsync(JobSubmission submission, String pollId, Duration wait) {
        // the job is committed before it is published; what follows runs on the thread that committed it unless it
        // needs the database (a provision takes its element's lock), then on a virtual thread
        return unwrapped(accept(submission, pollId).thenCompose(created -> {
            boolean provision = Operation.PROVISION.id().equals(created.job().operation);
            if (wait.isZero()) {
                return run(provision, () -> publish(created.job(), created.element(), true))
                        .thenApply(published -> created.view()); // as accepted: a fast agent may already be running it
            }
            CompletableFuture<JobEntity> finished = waiters.register(created.job().id);
            run(provision, () -> publish(created.job(), created.element(), true));
            return finished.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS).thenCompose(job -> job != null
                    && (job.result == null || job.result.length() < INLINE_VIEW_CHARS)
                            ? CompletableFuture.completedFuture(store.view(job))
                            // ended elsewhere, still running, or a large result: read or build it off this thread
                            : CompletableFuture.supplyAsync(() -> job != null ? store.view(job)
                                    : store.view(created.job().id, false).orElseThrow(), blockingWork));
        }));
    }

    private CompletableFuture<Void> run(boolean offThisThread, Runnable work) {
        if (offThisThread) {
            return CompletableFuture.runAsync(work, blockingWork);
        }
        work.run();
        return CompletableFuture.completedFuture(null);
    }

    /** Checks what can be checked without the database (throws), then stores the job, checking its element there. */
    private CompletableFuture<JobStore.Created> accept(JobSubmission submission, String pollId) {
        if (submission == null) {
            throw ApiException.badRequest("invalid_job", "send {\"element\",\"operation\",\"oids\"|\"commands\"}");
        }
        Operation operation = Operation.fromId(submission.operation()).orElseThrow(() -> ApiException.badRequest(
                "unknown_operation", "unknown operation; one of " + Operation.validNames()));
        if (submission.element() == null || submission.element().isBlank()) {
            throw ApiException.badRequest("invalid_job", "element is required");
        }
        if (submission.element().length() > MAX_ELEMENT_NAME) {
            throw new ApiException(404, "element_not_found", "no such element (names have at most " + MAX_ELEMENT_NAME
                    + " characters)");
        }
        if (operation.snmp() && submission.commands() != null && !submission.commands().isEmpty()) {
            throw ApiException.badRequest("invalid_job", operation.id() + " takes \"oids\", not \"commands\"");
        }
        if (!operation.snmp() && submission.oids() != null && !submission.oids().isEmpty()) {
            throw ApiException.badRequest("invalid_job", operation.id() + " takes \"commands\", not \"oids\"");
        }
        List<String> oids = operation.snmp() ? oids(submission.oids()) : List.of();
        List<String> commands = operation.snmp() ? List.of() : commands(submission.commands());
        String pool = submission.pool() == null ? config.pool() : submission.pool();
        if (pool.length() > MAX_POOL) {
            throw ApiException.badRequest("invalid_job", "pool is longer than " + MAX_POOL + " characters");
        }
        try {
            Subjects.requireToken("pool", pool);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_job", e.getMessage());
        }
        Duration timeout = duration("timeout", submission.timeout(), config.jobTimeout(), Duration.ofMillis(1), Duration.ofHours(1));
        String onLocked = submission.onLocked() == null ? "wait" : submission.onLocked();
        if (!onLocked.equals("wait") && !onLocked.equals("fail")) {
            throw ApiException.badRequest("invalid_job", "onLocked must be 'wait' or 'fail'");
        }
        boolean provision = operation == Operation.PROVISION;
        // the element is read in the job's own transaction: the job is checked against what it is stored with
        return store.createAsync(submission.element(), operation, oids, commands, pool, (int) timeout.toMillis(),
                provision ? onLocked : null, pollId, element -> requireCapable(element, submission.element(), operation));
    }

    private static void requireCapable(ElementEntity element, String name, Operation operation) {
        if (element == null) {
            throw new ApiException(404, "element_not_found", Inputs.quotable(name, MAX_ELEMENT_NAME) ? "no element named '" + name + "'"
                    : "no such element");
        }
        if (operation.snmp() && element.snmpVersion == null) {
            throw ApiException.badRequest("element_has_no_snmp", "element '" + element.name + "' has no SNMP settings");
        }
        if (!operation.snmp() && element.telnetPort == null) {
            throw ApiException.badRequest("element_has_no_telnet", "element '" + element.name + "' has no telnet settings");
        }
    }

    private void publish(JobEntity job) {
        elements.find(job.element).ifPresentOrElse(element -> publish(job, element, false),
                () -> store.finishWithoutAgent(job.id, job.attempt, JobStatus.FAILED, "element_not_found",
                        "element '" + job.element + "' was deleted before an agent took the job").ifPresent(this::announceFinished));
    }

    /** Reads a {@code ?wait=} value (at most five minutes); check it before submitting, so a bad one creates nothing. */
    public static Duration waitLimit(String wait) {
        return duration("wait", wait, Duration.ZERO, Duration.ZERO, MAX_WAIT);
    }

    private static List<String> oids(List<String> given) {
        if (given == null || given.isEmpty()) {
            throw ApiException.badRequest("malformed_oid", "snmp operations need \"oids\": [\"1.3.6.1.2.1.1\", …]");
        }
        if (given.size() > MAX_OIDS) {
            throw ApiException.badRequest("malformed_oid", "at most " + MAX_OIDS + " OIDs per job");
        }
        try {
            return Oid.dottedAll(given);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("malformed_oid", e.getMessage());
        }
    }

    private static List<String> commands(List<String> given) {
        if (given == null || given.isEmpty()) {
            throw ApiException.badRequest("invalid_command", "telnet operations need \"commands\": [\"show version\", …]");
        }
        if (given.size() > MAX_COMMANDS) {
            throw ApiException.badRequest("invalid_command", "at most " + MAX_COMMANDS + " commands per job");
        }
        for (int i = 0; i < given.size(); i++) {
            String c = given.get(i);
            if (c == null || c.isBlank() || c.length() > MAX_COMMAND_LENGTH) {
                throw ApiException.badRequest("invalid_command", "each command is one non-empty line of at most "
                        + MAX_COMMAND_LENGTH + " characters");
            }
            // a line break would send a second command the submission does not show; other control characters
            // (NUL, ESC sequences, ^C) drive the device's terminal rather than its command line
            Inputs.check("invalid_command", "commands[" + i + "]", c, MAX_COMMAND_LENGTH);
        }
        return List.copyOf(given);
    }

    private static Duration duration(String field, String value, Duration fallback, Duration min, Duration max) {
        try {
            return Durations.parse(value, fallback, min, max);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_duration", field + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ cancel

    /** What a cancel did: ended a job no agent had started ({@code stopping} false), or asked its agent to stop it. */
    public record Cancelled(JobView job, boolean stopping) {
    }

    /**
     * Cancels a job. A queued one ends at once (failed, code {@code cancelled}); a running one is stopped by its agent,
     * which reports it failed with code {@code cancelled} (a provision's lock is released then, as at any end). Every
     * agent hears of it on {@code dnc.cancel.<id>}, so a job already on its way to one is not run either.
     */
    public Cancelled cancel(String id) {
        JobEntity job = store.find(id).orElseThrow(() -> new ApiException(404, "job_not_found", "no such job"));
        JobStatus status = JobStatus.parse(job.status);
        if (status.finished()) {
            throw ApiException.conflict("job_finished", "job " + job.id + " has already finished (" + job.status + ")");
        }
        cancelRequested.put(id, Boolean.TRUE);
        try {
            messaging.publish(DncSubjects.cancel(id), new byte[0]);
        } catch (RuntimeException e) {
            LOG.warnf("job %s: agents could not be told of its cancel (%s); a running one runs to its end", id, e.getMessage());
        }
        if (status == JobStatus.QUEUED) {
            Optional<JobEntity> ended = store.finishWithoutAgent(job.id, job.attempt, JobStatus.FAILED, "cancelled",
                    "cancelled through the API before an agent ran it");
            if (ended.isPresent()) {
                LOG.infof("job %s cancelled before an agent ran it", id);
                finishedByAgent(ended.get()); // releases a provision's lock, wakes waiters, lets the element's next job go
                return new Cancelled(store.view(ended.get()), false);
            }
        }
        LOG.infof("job %s: cancel sent to its agent", id);
        return new Cancelled(store.view(id, true).orElseThrow(), true);
    }

    // ------------------------------------------------------------------ publish

    /** Publishes a job to its pool; {@code marked}: its dispatch time was already recorded (a new job). */
    private void publish(JobEntity job, ElementEntity element, boolean marked) {
        long deadline = System.nanoTime() + Duration.ofMillis(job.timeoutMs).plus(config.agentTimeout())
                .plus(config.redispatchAfter()).toNanos();
        if (!admission.admit(job.element, job.id, deadline)) {
            LOG.debugf("job %s waits for its turn: element %s has %d jobs with agents", job.id, job.element,
                    admission.inFlight(job.element));
            return; // stays queued; published when one of the element's jobs ends, or by the maintenance loop
        }
        JobRequest.Builder request = request(job, element);
        if (Operation.PROVISION.id().equals(job.operation)) {
            Duration lease = leaseFor(job);
            ElementLocks.Attempt attempt;
            try {
                attempt = locks.tryAcquire(job.element, "job:" + job.id, lease, "provision job " + job.id);
            } catch (RuntimeException e) {
                // the job is stored: a database hiccup here must not fail the caller; maintenance tries again
                LOG.warnf("provision job %s stays queued: could not take the lock on %s now (%s)", job.id, job.element,
                        DatabaseErrors.safeMessage(e));
                admission.withdraw(job.id);
                waitForLock(job);
                return;
            }
            if (attempt.acquired().isEmpty()) {
                ElementLocks.Lease blocking = attempt.blocking().orElseThrow();
                if ("fail".equals(job.onLocked)) {
                    store.finishWithoutAgent(job.id, job.attempt, JobStatus.FAILED, "element_locked", "element '" + job.element
                            + "' is locked by " + blocking.holder() + " until " + blocking.expiresAt()).ifPresent(this::announceFinished);
                } else {
                    LOG.debugf("provision job %s waits: element %s is locked by %s", job.id, job.element, blocking.holder());
                    admission.withdraw(job.id);
                    waitForLock(job);
                }
                return;
            }
            long token = attempt.acquired().get().token();
            store.setLockToken(job.id, token);
            request.setFencingToken(token).setLeaseMs((int) lease.toMillis());
        }
        try {
            messaging.publish(DncSubjects.jobs(job.pool), request.build().toByteArray());
            if (!marked) {
                store.markDispatched(job.id, job.attempt, Instant.now());
            }
        } catch (RuntimeException e) {
            admission.withdraw(job.id);
            LOG.warnf("job %s stays queued: cannot publish to %s (%s); will retry", job.id, DncSubjects.jobs(job.pool), e.getMessage());
        }
    }

    /** Leaves a provision for the maintenance loop to try again on its next round. */
    private void waitForLock(JobEntity job) {
        if (job.dispatchedAt == null) {
            return; // already waiting
        }
        try {
            store.markWaiting(job.id, job.attempt);
            job.dispatchedAt = null;
        } catch (RuntimeException e) {
            LOG.warnf("provision job %s will be tried again after redispatch-after: %s", job.id, DatabaseErrors.safeMessage(e));
        }
    }

    /** A provision's lease covers its run, the time to notice a dead agent, and a margin for clocks and queues. */
    private Duration leaseFor(JobEntity job) {
        return Duration.ofMillis(job.timeoutMs).plus(config.agentTimeout()).plusSeconds(5);
    }

    private JobRequest.Builder request(JobEntity job, ElementEntity e) {
        ElementTarget.Builder target = ElementTarget.newBuilder().setName(e.name).setAddress(e.address);
        if (e.vendor != null) {
            target.setVendor(e.vendor);
        }
        if (e.model != null) {
            target.setModel(e.model);
        }
        if (e.snmpVersion != null) {
            SnmpSettings.Builder snmp = SnmpSettings.newBuilder().setPort(e.snmpPort).setVersion(e.snmpVersion)
                    .setTimeoutMs(e.snmpTimeoutMs).setRetries(e.snmpRetries).setMaxRepetitions(e.snmpMaxRepetitions);
            Optional.ofNullable(e.snmpCommunity).ifPresent(snmp::setCommunity);
            Optional.ofNullable(e.snmpUser).ifPresent(snmp::setUser);
            Optional.ofNullable(e.snmpAuthProtocol).ifPresent(snmp::setAuthProtocol);
            Optional.ofNullable(e.snmpAuthPassword).ifPresent(snmp::setAuthPassword);
            Optional.ofNullable(e.snmpPrivProtocol).ifPresent(snmp::setPrivProtocol);
            Optional.ofNullable(e.snmpPrivPassword).ifPresent(snmp::setPrivPassword);
            target.setSnmp(snmp);
        }
        if (e.telnetPort != null) {
            TelnetSettings.Builder telnet = TelnetSettings.newBuilder().setPort(e.telnetPort);
            Optional.ofNullable(e.telnetUsername).ifPresent(telnet::setUsername);
            Optional.ofNullable(e.telnetPassword).ifPresent(telnet::setPassword);
            target.setTelnet(telnet);
        }
        JobStore.Work work = store.work(job);
        return JobRequest.newBuilder().setId(job.id).setOperation(job.operation).setElement(target)
                .setTimeoutMs(job.timeoutMs).setReplySubject(DncSubjects.UPDATES).setAttempt(job.attempt)
                .addAllOids(work.oids()).addAllCommands(work.commands());
    }

    // ------------------------------------------------------------------ updates from agents

    void onUpdate(BusMessage message) {
        // small updates are decoded here and handed to the writer, which commits them in batches; large ones (walk
        // results) are decoded and turned into JSON on a virtual thread so they do not hold up the small ones
        if (message.data().length > INLINE_UPDATE_BYTES) {
            blockingWork.execute(() -> applyUpdate(message));
        } else {
            applyUpdate(message);
        }
    }

    private void applyUpdate(BusMessage message) {
        JobUpdate update;
        try {
            update = JobUpdate.parseFrom(message.data());
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("dropped an undecodable job update on %s (%d bytes): %s", message.subject(), message.data().length, e.getMessage());
            return;
        }
        if (update.getJobId().isEmpty()) {
            LOG.warnf("dropped a job update without job id from agent '%s'", update.getAgent());
            return;
        }
        joinParts(update).ifPresent(whole -> store.applyAsync(whole).whenComplete((finished, error) -> {
            if (error != null) {
                // not stored: the job stays as it was; the agent's next update or the maintenance loop moves it on
                LOG.warnf("update of job %s from agent %s not stored: %s", whole.getJobId(), whole.getAgent(),
                        DatabaseErrors.safeMessage(cause(error)));
            } else {
                finished.ifPresent(this::finishedByAgent);
            }
        }));
    }

    /** Runs on the thread that committed the end: releasing a provision's lock needs the database, so that moves off it. */
    private void finishedByAgent(JobEntity job) {
        if (job.lockToken == null) {
            announceFinished(job);
            return;
        }
        blockingWork.execute(() -> {
            try {
                if (locks.release(job.element, "job:" + job.id, job.lockToken)) {
                    LOG.debugf("provision job %s released the lock on %s", job.id, job.element);
                }
            } catch (RuntimeException e) {
                LOG.warnf("provision job %s: lock on %s not released (%s); it runs out with its lease", job.id, job.element,
                        DatabaseErrors.safeMessage(e));
            }
            announceFinished(job);
        });
    }

    /** Returns the whole update once every part has arrived; single-part updates pass straight through. */
    private Optional<JobUpdate> joinParts(JobUpdate update) {
        int total = update.getParts();
        if (total <= 1) {
            return Optional.of(update);
        }
        if (update.getPart() < 1 || update.getPart() > total || total > 10_000) {
            LOG.warnf("dropped job update part %d/%d for job %s", update.getPart(), total, update.getJobId());
            return Optional.empty();
        }
        String key = update.getJobId() + "#" + update.getAttempt();
        PartBuffer buffer = parts.computeIfAbsent(key, k -> new PartBuffer(Instant.now(), new JobUpdate[total]));
        synchronized (buffer) {
            if (buffer.received().length != total) {
                return Optional.empty();
            }
            buffer.received()[update.getPart() - 1] = update;
            for (JobUpdate part : buffer.received()) {
                if (part == null) {
                    return Optional.empty();
                }
            }
        }
        parts.remove(key);
        JobUpdate.Builder whole = buffer.received()[total - 1].toBuilder().clearVarbinds().clearOutputs().setPart(0).setParts(0);
        for (JobUpdate part : buffer.received()) {
            whole.addAllVarbinds(part.getVarbindsList()).addAllOutputs(part.getOutputsList());
        }
        return Optional.of(whole.build());
    }

    /** Wakes this process's waiters with the job and, when there are other dispatchers, tells their waiters. */
    private void announceFinished(JobEntity job) {
        LOG.debugf("job %s %s (agent %s)", job.id, job.status, job.agent);
        admission.finished(job.id).ifPresent(this::publishNext);
        waiters.finished(job.id, job);
        if (peers.isEmpty()) {
            return; // nobody else can be waiting (one who came up just now is found by its waiters' database look-up)
        }
        try {
            messaging.publish(DncSubjects.finished(job.id), job.status.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.debugf("could not announce the end of job %s to other dispatchers: %s", job.id, e.getMessage());
        }
    }

    void onHello(BusMessage message) {
        try {
            AgentHello hello = AgentHello.parseFrom(message.data());
            if (!hello.getAgent().isEmpty()) {
                agents.heard(hello, Instant.now());
            }
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("dropped an undecodable agent heartbeat on %s: %s", message.subject(), e.getMessage());
        }
    }

    /** Tells the other dispatchers that this one is up, so they announce the ends of jobs its callers may wait for. */
    private void sayHello() {
        lastHello = Instant.now();
        try {
            messaging.publish(DncSubjects.dispatcherHello(node.instance()), node.name().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.debugf("dispatcher heartbeat not sent: %s", e.getMessage());
        }
    }

    void onDispatcherHello(BusMessage message) {
        String[] tokens = message.subject().split("\\.");
        if (tokens.length != 4 || tokens[2].equals(node.instance())) {
            return;
        }
        if (peers.put(tokens[2], Instant.now()) == null) {
            LOG.infof("dispatcher %s (%s) is up too: the ends of jobs are announced on %s", new String(message.data(),
                    StandardCharsets.UTF_8), tokens[2], DncSubjects.FINISHED_ALL);
            sayHello(); // a newcomer learns of this one at once, not at the next heartbeat
        }
    }

    void onFinished(BusMessage message) {
        String subject = message.subject();
        String id = subject.substring(subject.lastIndexOf('.') + 1);
        admission.finished(id).ifPresent(this::publishNext);
        waiters.finished(id, null);
    }

    /** Publishes the job whose turn it is on its element (a place just became free), off the calling thread. */
    private void publishNext(String jobId) {
        try {
            blockingWork.execute(() -> {
                try {
                    store.queued(jobId).ifPresentOrElse(this::publish,
                            () -> admission.finished(jobId).ifPresent(this::publishNext)); // ended meanwhile: the next one
                } catch (RuntimeException e) {
                    LOG.debugf("job %s stays queued for the maintenance loop: %s", jobId, DatabaseErrors.safeMessage(e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // stopping: the job stays queued in the database
        }
    }

    // ------------------------------------------------------------------ maintenance

    /** Heartbeats to the other dispatchers, forgetting silent ones, and waiters whose job's end was never announced. */
    private void keepInTouch(Instant now) {
        Duration every = config.agentTimeout().dividedBy(3);
        if (lastHello.plus(every).isBefore(now)) {
            sayHello();
        }
        peers.entrySet().removeIf(p -> {
            boolean silent = p.getValue().plus(config.agentTimeout()).isBefore(now);
            if (silent) {
                LOG.infof("dispatcher %s silent for %s: forgotten", p.getKey(), config.agentTimeout());
            }
            return silent;
        });
        List<String> waited = waiters.waitingSince(now.minus(WAITER_LOOKUP_AFTER), 500);
        if (!waited.isEmpty()) {
            for (String id : store.finishedAmong(waited)) {
                foundInDatabase.increment();
                LOG.debugf("job %s had finished without this dispatcher hearing of it; waking its callers", id);
                waiters.finished(id, null);
            }
        }
    }

    private void maintain() {
        try {
            Instant now = Instant.now();
            keepInTouch(now);
            for (JobEntity job : store.queuedNotDispatchedSince(now.minus(config.redispatchAfter()), 1000)) {
                if (job.createdAt.plus(config.queueTimeout()).isBefore(now)) {
                    store.finishWithoutAgent(job.id, job.attempt, JobStatus.TIMED_OUT, "queue_timeout",
                            "no agent of pool '" + job.pool + "' took the job within " + config.queueTimeout())
                            .ifPresent(this::announceFinished);
                } else {
                    if (job.dispatchedAt != null) {
                        LOG.debugf("job %s not started within %s; publishing again", job.id, config.redispatchAfter());
                    }
                    publish(job);
                }
            }
            for (JobEntity job : store.withStatus(JobStatus.RUNNING, 10_000)) {
                Instant started = job.startedAt == null ? now : job.startedAt;
                Instant heard = agents.lastHeard(job.agent).orElse(started);
                if (heard.isBefore(started)) {
                    heard = started;
                }
                boolean provision = Operation.PROVISION.id().equals(job.operation);
                if (heard.plus(config.agentTimeout()).isBefore(now) && provision) {
                    // never run a provision twice: the agent may have applied part of it; its lock runs out by itself
                    store.finishWithoutAgent(job.id, job.attempt, JobStatus.FAILED, "agent_lost", "agent " + job.agent
                            + " went silent while provisioning; the element may be partly configured; its lock is held until "
                            + "the lease runs out").ifPresent(this::announceFinished);
                } else if (heard.plus(config.agentTimeout()).isBefore(now) && cancelRequested.containsKey(job.id)) {
                    store.finishWithoutAgent(job.id, job.attempt, JobStatus.FAILED, "cancelled", "cancelled through the API; agent "
                            + job.agent + " went silent before confirming it stopped").ifPresent(this::announceFinished);
                } else if (heard.plus(config.agentTimeout()).isBefore(now)) {
                    store.requeue(job.id, job.attempt, "agent " + job.agent + " silent for " + config.agentTimeout()
                            + "; re-queued").ifPresent(requeued -> {
                                LOG.warnf("job %s re-queued: agent %s went silent", job.id, job.agent);
                                publish(requeued);
                            });
                } else if (started.plusMillis(job.timeoutMs).plus(config.agentTimeout()).isBefore(now)) {
                    store.finishWithoutAgent(job.id, job.attempt, JobStatus.TIMED_OUT, "timed_out",
                            "agent " + job.agent + " did not report a result within " + Duration.ofMillis(job.timeoutMs))
                            .ifPresent(this::announceFinished);
                }
            }
            polls.runDue(now, this::submit);
            if (lastPrune.plus(Duration.ofMinutes(1)).isBefore(now)) {
                lastPrune = now;
                int pruned = polls.prune(now.minus(config.sampleRetention()));
                if (pruned > 0) {
                    LOG.debugf("removed %d samples older than %s", pruned, config.sampleRetention());
                }
            }
            parts.entrySet().removeIf(e -> e.getValue().started().plus(Duration.ofMinutes(5)).isBefore(now));
            agents.forgetSilent(Duration.ofHours(1), now);
        } catch (RuntimeException e) {
            LOG.errorf(DatabaseErrors.loggable(e), "dispatcher maintenance failed; trying again in %s", config.maintenanceInterval());
        }
    }
}
