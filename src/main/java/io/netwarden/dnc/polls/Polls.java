package io.netwarden.dnc.polls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.api.Durations;
import io.netwarden.dnc.elements.ElementEntity;
import io.netwarden.dnc.jobs.JobEntity;
import io.netwarden.dnc.jobs.JobFinished;
import io.netwarden.dnc.jobs.JobSubmission;
import io.netwarden.dnc.jobs.Operation;
import io.netwarden.dnc.snmp.Oid;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Scheduled polling: stores polls, runs the due ones as ordinary jobs, keeps what they collect as samples.
 *
 * <pre>
 *   dispatcher maintenance ─▶ runDue: claim each due poll (conditional update: one dispatcher wins) ─▶ submit a job
 *   job finishes ─▶ JobFinished (same transaction) ─▶ poll's last run + samples + SamplesCollected (Kafka after commit)
 * </pre>
 */
@ApplicationScoped
public class Polls {

    private static final Logger LOG = Logger.getLogger(Polls.class);
    private static final Set<Operation> OPERATIONS = Set.of(Operation.SNMP_GET, Operation.SNMP_GETBULK, Operation.SNMP_WALK,
            Operation.SNMP_BULKWALK);
    private static final int MAX_OIDS = 32;

    @Inject
    Session session;

    @Inject
    ObjectMapper json;

    @Inject
    Event<SamplesCollected> collected;

    @Transactional
    public PollSpec create(PollSpec spec) {
        if (spec == null) {
            throw ApiException.badRequest("invalid_poll", "send {\"element\",\"oids\",\"interval\"}");
        }
        boolean plausible = Inputs.quotable(spec.element(), 128);
        ElementEntity element = plausible ? session.find(ElementEntity.class, spec.element()) : null;
        if (element == null) {
            throw new ApiException(404, "element_not_found", plausible ? "no element named '" + spec.element() + "'" : "no such element");
        }
        if (element.snmpVersion == null) {
            throw ApiException.badRequest("element_has_no_snmp", "element '" + element.name + "' has no SNMP settings");
        }
        Operation operation = spec.operation() == null ? Operation.SNMP_BULKWALK : Operation.fromId(spec.operation())
                .filter(OPERATIONS::contains).orElseThrow(() -> ApiException.badRequest("unknown_operation",
                        "a poll runs snmp.bulkwalk, snmp.walk, snmp.get or snmp.getbulk"));
        if (spec.oids() == null || spec.oids().isEmpty() || spec.oids().size() > MAX_OIDS) {
            throw ApiException.badRequest("malformed_oid", "a poll needs 1-" + MAX_OIDS + " OIDs");
        }
        List<String> oids;
        try {
            oids = Oid.dottedAll(spec.oids());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("malformed_oid", e.getMessage());
        }
        Duration interval;
        try {
            interval = Durations.parse(spec.interval(), null, Duration.ofSeconds(1), Duration.ofDays(1));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_interval", "interval " + e.getMessage());
        }
        if (interval == null) {
            throw ApiException.badRequest("invalid_interval", "interval is required, e.g. 30s");
        }
        PollEntity poll = new PollEntity();
        poll.id = UUID.randomUUID().toString();
        poll.element = element.name;
        poll.operation = operation.id();
        try {
            poll.oids = json.writeValueAsString(oids);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        poll.intervalMs = interval.toMillis();
        poll.createdAt = Instant.now();
        poll.nextRunAt = poll.createdAt;
        session.persist(poll);
        LOG.infof("poll %s: %s of %s on %s every %s", poll.id, operation.id(), oids, element.name, interval);
        return view(poll);
    }

    @Transactional
    public List<PollSpec> list() {
        return session.createSelectionQuery("from PollEntity order by createdAt", PollEntity.class).getResultList().stream()
                .map(this::view).toList();
    }

    @Transactional
    public PollSpec get(String id) {
        return view(require(id));
    }

    @Transactional
    public void delete(String id) {
        session.remove(require(id));
    }

    private PollEntity require(String id) {
        PollEntity poll = id == null ? null : session.find(PollEntity.class, id);
        if (poll == null) {
            throw new ApiException(404, "poll_not_found", "no poll with id '" + id + "'");
        }
        return poll;
    }

    /**
     * Submits a job for every due poll this dispatcher manages to claim. A poll whose run fails to start keeps its
     * schedule and records why.
     */
    public void runDue(Instant now, BiConsumer<JobSubmission, String> submit) {
        for (PollEntity due : due(now)) {
            if (!claim(due, now)) {
                continue; // another dispatcher took this run
            }
            try {
                JobSubmission run = new JobSubmission(due.element, due.operation, oids(due), null,
                        Duration.ofMillis(Math.min(due.intervalMs, 60_000)).toMillis() + "ms", null, null);
                submit.accept(run, due.id);
            } catch (ApiException e) {
                recordFailure(due.id, e.getMessage());
            }
        }
    }

    @Transactional
    List<PollEntity> due(Instant now) {
        return session.createSelectionQuery("from PollEntity where nextRunAt <= :now order by nextRunAt", PollEntity.class)
                .setParameter("now", now).setMaxResults(100).getResultList();
    }

    /** Moves the schedule on, if nobody did meanwhile; true when this caller runs the poll. */
    @Transactional
    boolean claim(PollEntity poll, Instant now) {
        Instant next = poll.nextRunAt.plusMillis(poll.intervalMs);
        if (next.isBefore(now)) {
            next = now.plusMillis(poll.intervalMs); // skip runs missed while no dispatcher was up, do not burst
        }
        return session.createMutationQuery("update PollEntity set nextRunAt = :next, lastRunAt = :now "
                + "where id = :id and nextRunAt = :expected")
                .setParameter("next", next).setParameter("now", now).setParameter("id", poll.id)
                .setParameter("expected", poll.nextRunAt).executeUpdate() == 1;
    }

    @Transactional
    void recordFailure(String pollId, String error) {
        PollEntity poll = session.find(PollEntity.class, pollId);
        if (poll != null) {
            poll.lastStatus = "failed";
            poll.lastError = error.length() > 2000 ? error.substring(0, 2000) : error;
        }
    }

    /**
     * Every job's end is announced here; only those of polls matter. Those are fired inside the transaction that finished
     * the job, so samples are stored atomically with it. Other jobs end outside any transaction (batched writes): they
     * must not open one each just to be ignored.
     */
    void onJobFinished(@Observes JobFinished finished) {
        if (finished.pollId() != null) {
            recordRun(finished);
        }
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void recordRun(JobFinished finished) {
        PollEntity poll = session.find(PollEntity.class, finished.pollId());
        JobEntity job = session.find(JobEntity.class, finished.jobId());
        if (poll == null || job == null) {
            return; // the poll was deleted meanwhile
        }
        poll.lastJob = job.id;
        poll.lastStatus = job.status;
        poll.lastError = job.error;
        if (!"succeeded".equals(job.status) || job.result == null) {
            return;
        }
        List<SamplesCollected.Sample> samples = new ArrayList<>();
        try {
            for (JsonNode vb : json.readTree(job.result).path("varbinds")) {
                SampleEntity sample = new SampleEntity();
                sample.pollId = poll.id;
                sample.element = poll.element;
                sample.oid = vb.path("oid").asText();
                sample.type = vb.path("type").asText();
                String value = vb.path("value").asText();
                sample.value = value.length() > 4000 ? value.substring(0, 4000) : value;
                sample.at = job.finishedAt;
                session.persist(sample);
                samples.add(new SamplesCollected.Sample(sample.oid, sample.type, sample.value));
            }
        } catch (JsonProcessingException e) {
            LOG.errorf("job %s of poll %s holds an unreadable result", job.id, poll.id);
            return;
        }
        collected.fire(new SamplesCollected(poll.id, poll.element, job.finishedAt, samples));
    }

    /** Deletes samples collected before {@code cutoff}; returns how many. */
    @Transactional
    public int prune(Instant cutoff) {
        return session.createMutationQuery("delete from SampleEntity where at < :cutoff").setParameter("cutoff", cutoff).executeUpdate();
    }

    /** Samples of an element, newest first, optionally of one OID and since a time. */
    @Transactional
    public List<SampleView> samples(String element, String oid, Instant since, int limit) {
        StringBuilder hql = new StringBuilder("from SampleEntity where element = :element");
        if (oid != null) {
            hql.append(" and oid = :oid");
        }
        if (since != null) {
            hql.append(" and at >= :since");
        }
        hql.append(" order by at desc, id desc");
        var query = session.createSelectionQuery(hql.toString(), SampleEntity.class).setParameter("element", element);
        if (oid != null) {
            query.setParameter("oid", oid);
        }
        if (since != null) {
            query.setParameter("since", since);
        }
        return query.setMaxResults(limit).getResultList().stream()
                .map(s -> new SampleView(s.oid, s.type, s.value, s.at, s.pollId)).toList();
    }

    /** A sample as the API shows it. */
    public record SampleView(String oid, String type, String value, Instant at, String poll) {
    }

    private List<String> oids(PollEntity poll) {
        try {
            List<String> oids = new ArrayList<>();
            json.readTree(poll.oids).forEach(n -> oids.add(n.asText()));
            return oids;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("poll " + poll.id + " holds unreadable OIDs", e);
        }
    }

    private PollSpec view(PollEntity p) {
        return new PollSpec(p.id, p.element, oids(p), Durations.format(p.intervalMs), p.operation,
                p.nextRunAt, p.lastRunAt, p.lastJob, p.lastStatus, p.lastError);
    }
}
