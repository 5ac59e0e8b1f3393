package io.netwarden.dnc.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netwarden.dnc.DncSubjects;
import io.netwarden.dnc.jobs.Operation;
import io.netwarden.dnc.snmp.Snmp4jClient;
import io.netwarden.dnc.snmp.SnmpClient;
import io.netwarden.dnc.telnet.CachedTelnetRunner;
import io.netwarden.dnc.telnet.TelnetRunner;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.netwarden.platform.consul.ConsulKv;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.platform.messaging.BusMessage;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.Subjects;
import io.netwarden.proto.dnc.v1.AgentHello;
import io.netwarden.proto.dnc.v1.JobRequest;
import io.netwarden.proto.dnc.v1.JobStatus;
import io.netwarden.proto.dnc.v1.JobUpdate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The agent role: takes jobs from its pool's queue, runs them, reports back.
 *
 * <pre>
 *   dnc.jobs.&lt;pool&gt; (queue group "agents") ─▶ de-duplicate by id#attempt ─▶ slot (max-concurrent-jobs)
 *       ─▶ virtual thread: "running" update ─▶ JobRunner ─▶ final update (in parts if large) ─▶ reply subject
 *   every heartbeat-interval ─▶ AgentHello on dnc.agents.&lt;agent&gt;.hello (running jobs, elements reached lately)
 * </pre>
 *
 * A job delivered twice (the dispatcher re-publishes what nobody confirmed) runs once: while it runs the duplicate is
 * dropped, afterwards the recorded final update is sent again. Thread safety: the running set and reachability map
 * are concurrent; the recently-finished cache is a synchronised LRU map; the semaphore bounds concurrency.
 */
@ApplicationScoped
public class AgentService implements RoleService {

    private static final Logger LOG = Logger.getLogger(AgentService.class);
    /** Varbinds per update message, so a whole-device walk never exceeds NATS' 1 MB payload limit. */
    static final int VARBINDS_PER_PART = 4000;
    private static final int REMEMBERED_JOBS = 10_000;

    @Inject
    AgentConfig config;

    @Inject
    Messaging messaging;

    @Inject
    NodeIdentity node;

    @Inject
    ConsulKv consul;

    private String name;
    private SnmpClient snmp;
    private TelnetRunner telnet;
    private JobRunner runner;
    private Semaphore slots;
    private ExecutorService workers;
    private ScheduledExecutorService heartbeat;
    private Messaging.Subscription subscription;
    private Messaging.Subscription cancelSubscription;
    private final Cancellations cancellations = new Cancellations();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> reached = new ConcurrentHashMap<>();
    private final Map<String, JobUpdate> finished = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobUpdate> eldest) {
            return size() > REMEMBERED_JOBS;
        }
    });

    @Override
    public Role role() {
        return Role.AGENT;
    }

    @Override
    public int order() {
        return 60;
    }

    @Override
    public void start() {
        if (config.maxConcurrentJobs() < 1) {
            throw new IllegalArgumentException("netwarden.dnc.agent.max-concurrent-jobs must be at least 1");
        }
        name = Subjects.requireToken("netwarden.dnc.agent.name (default: the node name)", config.name().orElse(node.name()));
        Subjects.requireToken("netwarden.dnc.agent.pool", config.pool());
        try {
            snmp = new Snmp4jClient();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the SNMP transport", e);
        }
        TelnetProfiles profiles = TelnetProfiles.compile(config.telnet().profiles(), consul, config.telnet().consulRefresh());
        telnet = new CachedTelnetRunner(config.telnet().idleTimeout());
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dnc-job-", 0).factory());
        runner = new JobRunner(snmp, telnet, profiles, config.telnet(), workers);
        slots = new Semaphore(config.maxConcurrentJobs());
        subscription = messaging.subscribe(DncSubjects.jobs(config.pool()), Optional.of("agents"), this::onJob);
        cancelSubscription = messaging.subscribe(DncSubjects.CANCEL_ALL, Optional.empty(), this::onCancel);
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("dnc-agent-heartbeat").daemon().factory());
        heartbeat.scheduleAtFixedRate(this::hello, 0, Math.max(100, config.heartbeatInterval().toMillis()), TimeUnit.MILLISECONDS);
        LOG.infof("agent %s: pool=%s heartbeat=%s max-concurrent-jobs=%d telnet-profiles-from-consul=%s", name, config.pool(),
                config.heartbeatInterval(), config.maxConcurrentJobs(), consul.describe());
    }

    @Override
    public void resync(String reason) {
        hello();
    }

    @Override
    public void stop(Duration drain) {
        if (subscription != null) {
            subscription.close();
        }
        if (cancelSubscription != null) {
            cancelSubscription.close();
        }
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warnf("agent %s: %d jobs still running after %s; cutting them off", name, running.size(), drain);
                    workers.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                workers.shutdownNow();
            }
        }
        if (snmp != null) {
            snmp.close();
        }
        if (telnet != null) {
            telnet.close();
        }
    }

    /** This agent's name in heartbeats and job records. */
    public String name() {
        return name;
    }

    void onJob(BusMessage message) {
        JobRequest request;
        try {
            request = JobRequest.parseFrom(message.data());
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("agent %s dropped an undecodable job on %s (%d bytes): %s", name, message.subject(), message.data().length,
                    e.getMessage());
            return;
        }
        if (request.getId().isEmpty()) {
            LOG.warnf("agent %s dropped a job without id on %s", name, message.subject());
            return;
        }
        String key = request.getId() + "#" + request.getAttempt();
        JobUpdate done = finished.get(key);
        if (done != null) {
            send(request, done); // our answer went missing: say it again
            return;
        }
        if (!running.add(key)) {
            return; // already on it
        }
        slots.acquireUninterruptibly();
        try {
            workers.execute(() -> {
                try {
                    execute(request, key);
                } finally {
                    running.remove(key);
                    slots.release();
                }
            });
        } catch (RuntimeException rejected) {
            running.remove(key);
            slots.release();
            LOG.debugf("agent %s is stopping; job %s left for another agent", name, request.getId());
        }
    }

    /** The API cancelled a job: if it runs here it is interrupted; if it arrives later it is not run. */
    void onCancel(BusMessage message) {
        String subject = message.subject();
        String jobId = subject.substring(subject.lastIndexOf('.') + 1);
        if (cancellations.cancel(jobId)) {
            LOG.infof("agent %s: job %s cancelled through the API; stopping it", name, jobId);
        }
    }

    private void execute(JobRequest request, String key) {
        if (!cancellations.begin(request.getId())) {
            long now = System.currentTimeMillis();
            send(request, cancelled(JobUpdate.newBuilder().setJobId(request.getId()).setAttempt(request.getAttempt()))
                    .setAgent(name).setAtEpochMs(now).setStartedAtEpochMs(now).build());
            return;
        }
        try {
            run(request, key);
        } finally {
            cancellations.end(request.getId());
        }
    }

    private static JobUpdate.Builder cancelled(JobUpdate.Builder update) {
        return update.clearVarbinds().clearOutputs().setStatus(JobStatus.JOB_STATUS_FAILED).setErrorCode("cancelled")
                .setError("cancelled through the API");
    }

    private void run(JobRequest request, String key) {
        long started = System.currentTimeMillis();
        JobUpdate running = JobUpdate.newBuilder().setJobId(request.getId()).setAttempt(request.getAttempt())
                .setStatus(JobStatus.JOB_STATUS_RUNNING).setAgent(name).setAtEpochMs(started).setStartedAtEpochMs(started).build();
        long delay = config.runningReportDelay().toMillis();
        ScheduledFuture<?> report = null;
        if (delay <= 0 || Operation.PROVISION.id().equals(request.getOperation())) {
            send(request, running);
        } else {
            // most jobs end within milliseconds: one update then saves the dispatcher a database transaction
            try {
                report = heartbeat.schedule(() -> send(request, running), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                send(request, running); // the agent is stopping: no timer left, say it now
            }
        }
        JobUpdate.Builder outcome = runner.run(request);
        if (cancellations.cancelled(request.getId())) {
            List<io.netwarden.proto.dnc.v1.CommandOutput> done = List.copyOf(outcome.getOutputsList());
            outcome = cancelled(outcome).addAllOutputs(done); // what ran before the cancel is kept
        }
        if (report != null) {
            report.cancel(false); // if it is being sent just now, the dispatcher ignores a "running" after the end
        }
        JobUpdate result = outcome.setAgent(name).setAtEpochMs(System.currentTimeMillis()).setStartedAtEpochMs(started).build();
        if (JobRunner.reached(result)) {
            reached.put(request.getElement().getName(), Instant.now());
        }
        finished.put(key, result);
        send(request, result);
    }

    private void send(JobRequest request, JobUpdate update) {
        String subject = request.getReplySubject().startsWith("dnc.") ? request.getReplySubject() : DncSubjects.UPDATES;
        int varbinds = update.getVarbindsCount();
        try {
            if (varbinds <= VARBINDS_PER_PART) {
                messaging.publish(subject, update.toByteArray());
                return;
            }
            int parts = (varbinds + VARBINDS_PER_PART - 1) / VARBINDS_PER_PART;
            for (int p = 0; p < parts; p++) {
                List<io.netwarden.proto.dnc.v1.Varbind> slice = update.getVarbindsList()
                        .subList(p * VARBINDS_PER_PART, Math.min(varbinds, (p + 1) * VARBINDS_PER_PART));
                messaging.publish(subject, update.toBuilder().clearVarbinds().addAllVarbinds(slice).setPart(p + 1)
                        .setParts(parts).build().toByteArray());
            }
        } catch (RuntimeException e) {
            LOG.warnf("agent %s could not report job %s (%s): %s; the dispatcher will re-publish it", name, update.getJobId(),
                    update.getStatus(), e.getMessage());
        }
    }

    private void hello() {
        try {
            Instant since = Instant.now().minus(config.reachableWindow());
            reached.values().removeIf(at -> at.isBefore(since));
            messaging.publish(DncSubjects.hello(name), AgentHello.newBuilder().setAgent(name).setPool(config.pool())
                    .setNode(node.name()).setInstance(node.instance()).setAtEpochMs(System.currentTimeMillis())
                    .addAllReachableElements(reached.keySet().stream().sorted().toList()).setRunningJobs(running.size())
                    .build().toByteArray());
        } catch (RuntimeException e) {
            LOG.debugf("agent %s heartbeat not sent: %s", name, e.getMessage());
        }
    }
}
