package io.netwarden.dnc.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.proto.dnc.v1.JobUpdate;
import io.netwarden.proto.dnc.v1.Varbind;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Applying agent updates in whatever order they arrive. */
@QuarkusTest
class JobStoreTest {

    @Inject
    JobStore store;

    private String queuedJob() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        // not published: no agent touches it, this test plays the agent
        return store.create(element, Operation.SNMP_GET, List.of("1.3.6.1.2.1.1.5.0"), List.of(), "unused-pool", 5000, null,
                null, e -> { }).job().id;
    }

    private static JobUpdate.Builder update(String id, io.netwarden.proto.dnc.v1.JobStatus status, long started) {
        return JobUpdate.newBuilder().setJobId(id).setAttempt(1).setAgent("a1").setStatus(status)
                .setStartedAtEpochMs(started).setAtEpochMs(System.currentTimeMillis());
    }

    @Test
    void aFinalUpdateThatOvertakesRunningStillRecordsTheRunningTransition() {
        // Given
        String id = queuedJob();
        long started = Instant.now().minusMillis(50).toEpochMilli();

        // When: the final update arrives first, the running one after it
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_SUCCEEDED, started)
                .addVarbinds(Varbind.newBuilder().setOid("1.3.6.1.2.1.1.5.0").setType("OctetString").setValue("vm")).build());
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_RUNNING, started).build());

        // Then
        JobView job = store.view(id, true).orElseThrow();
        assertEquals("succeeded", job.status());
        assertEquals(List.of("queued", "running", "succeeded"), job.transitions().stream().map(JobView.Transition::status).toList());
        assertEquals(Instant.ofEpochMilli(started), job.transitions().get(1).at());
        assertEquals("a1", job.transitions().get(1).agent());
        assertEquals(Instant.ofEpochMilli(started), job.startedAt());
        assertEquals(job.finishedAt(), job.transitions().get(2).at(), "the end is recorded at the agent's time");
    }

    @Test
    void duplicateAndStaleUpdatesChangeNothing() {
        String id = queuedJob();
        long started = System.currentTimeMillis();
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_RUNNING, started).build());
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_RUNNING, started).build());
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_FAILED, started).setErrorCode("timed_out").build());
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_SUCCEEDED, started).build());
        store.apply(update(id, io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_SUCCEEDED, started).setAttempt(7).build());
        JobView job = store.view(id, true).orElseThrow();
        assertEquals("failed", job.status());
        assertEquals(List.of("queued", "running", "failed"), job.transitions().stream().map(JobView.Transition::status).toList());
        assertEquals(job.startedAt(), job.transitions().get(1).at(), "running is recorded at the agent's time");
        assertTrue(store.apply(update("no-such-job", io.netwarden.proto.dnc.v1.JobStatus.JOB_STATUS_RUNNING, started).build()).isEmpty());
    }
}
