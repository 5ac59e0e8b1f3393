package io.netwarden.dnc.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.dnc.elements.ElementEntity;
import io.netwarden.platform.api.ApiException;
import io.netwarden.proto.dnc.v1.JobStatus;
import io.netwarden.proto.dnc.v1.JobUpdate;
import io.netwarden.proto.dnc.v1.Varbind;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The batched job writes: many at once, in any order, with bad items among good ones. On the embedded H2 here; the same
 * tests run on PostgreSQL in {@link JobWriterPostgresTest}. What lands in one batch depends on timing, so the tests assert
 * what every caller gets, which must not.
 */
@QuarkusTest
class JobWriterTest {

    private static final Consumer<ElementEntity> ANY_ELEMENT = e -> {
    };

    @Inject
    JobStore store;

    @Inject
    JobWriter writer;

    private String element() {
        return TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
    }

    private CompletableFuture<JobStore.Created> create(String element, Consumer<ElementEntity> check) {
        // not published: no agent touches these jobs, the tests play the agent
        return store.createAsync(element, Operation.SNMP_GET, List.of("1.3.6.1.2.1.1.5.0"), List.of(), "unused-pool", 5000,
                null, null, check);
    }

    @Test
    void manyJobsAcceptedAtOnceAreAllStoredWithTheirElement() {
        // Given
        String element = element();

        // When
        List<CompletableFuture<JobStore.Created>> created = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            created.add(create(element, ANY_ELEMENT));
        }

        // Then
        for (CompletableFuture<JobStore.Created> c : created) {
            JobStore.Created job = c.join();
            assertEquals(element, job.element().name);
            assertEquals("127.0.0.1", job.element().address);
            assertEquals(TestEnv.snmpCommunity(), job.element().snmpCommunity, "the agent needs the stored credentials");
            JobView stored = store.view(job.job().id, true).orElseThrow();
            assertEquals("queued", stored.status());
            assertEquals(List.of("1.3.6.1.2.1.1.5.0"), stored.oids());
            assertEquals(List.of("queued"), stored.transitions().stream().map(JobView.Transition::status).toList());
        }
    }

    @Test
    void aRejectedJobAmongGoodOnesIsNotStoredAndTheOthersAre() {
        // Given: every third job is refused by its element check, one names no element at all
        String element = element();
        List<CompletableFuture<JobStore.Created>> created = new ArrayList<>();

        // When
        for (int i = 0; i < 30; i++) {
            boolean refuse = i % 3 == 0;
            created.add(create(element, e -> {
                if (refuse) {
                    throw ApiException.badRequest("element_has_no_telnet", "refused by the test");
                }
            }));
        }
        CompletableFuture<JobStore.Created> missing = create("no-such-element-" + UUID.randomUUID(), e -> {
            if (e == null) {
                throw new ApiException(404, "element_not_found", "no such element");
            }
        });

        // Then
        for (int i = 0; i < created.size(); i++) {
            if (i % 3 == 0) {
                CompletionException refused = assertThrows(CompletionException.class, created.get(i)::join);
                assertInstanceOf(ApiException.class, refused.getCause());
            } else {
                assertEquals("queued", store.view(created.get(i).join().job().id, false).orElseThrow().status());
            }
        }
        ApiException notFound = assertInstanceOf(ApiException.class, assertThrows(CompletionException.class, missing::join).getCause());
        assertEquals(404, notFound.status());
    }

    @Test
    void aJobThatCannotBeWrittenFailsAloneWhenItsBatchIsWrittenAgainItemByItem() {
        // Given: a job whose id is taken (its insert breaks the primary key), sent among good ones
        String element = element();
        JobStore.Created first = create(element, ANY_ELEMENT).join();
        JobEntity clash = new JobEntity();
        clash.id = first.job().id;
        clash.element = element;
        clash.operation = "snmp.get";
        clash.request = "{}";
        clash.pool = "unused-pool";
        clash.status = "queued";
        clash.attempt = 1;
        clash.timeoutMs = 5000;
        clash.createdAt = Instant.now();
        clash.transitions = JobHistory.append(null, new JobView.Transition("queued", null, 1, clash.createdAt, null));

        // When
        List<CompletableFuture<JobStore.Created>> good = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            good.add(create(element, ANY_ELEMENT));
        }
        CompletableFuture<JobWriter.Stored> duplicate = writer.insert(new JobWriter.NewJob(clash, ANY_ELEMENT));
        for (int i = 0; i < 10; i++) {
            good.add(create(element, ANY_ELEMENT));
        }

        // Then
        assertThrows(CompletionException.class, duplicate::join);
        good.forEach(g -> assertEquals("queued", store.view(g.join().job().id, false).orElseThrow().status()));
        assertEquals(List.of("queued"), store.view(first.job().id, true).orElseThrow().transitions().stream()
                .map(JobView.Transition::status).toList(), "the first job is untouched");
    }

    @Test
    void updatesOfManyJobsInAnyOrderEachEndTheirJobOnce() {
        // Given
        String element = element();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(create(element, ANY_ELEMENT).join().job().id);
        }
        long started = System.currentTimeMillis() - 20;

        // When: each job gets running, its end and a duplicate end, all sent at once in shuffled order
        List<JobUpdate> updates = new ArrayList<>();
        for (String id : ids) {
            JobUpdate.Builder u = JobUpdate.newBuilder().setJobId(id).setAttempt(1).setAgent("agent-" + id.substring(0, 4))
                    .setStartedAtEpochMs(started).setAtEpochMs(started + 10);
            updates.add(u.clone().setStatus(JobStatus.JOB_STATUS_RUNNING).setAtEpochMs(started).build());
            JobUpdate end = u.clone().setStatus(JobStatus.JOB_STATUS_SUCCEEDED)
                    .addVarbinds(Varbind.newBuilder().setOid("1.3.6.1.2.1.1.5.0").setType("OctetString").setValue(id)).build();
            updates.add(end);
            updates.add(end);
        }
        Collections.shuffle(updates);
        List<CompletableFuture<java.util.Optional<JobEntity>>> applied = updates.stream().map(store::applyAsync).toList();

        // Then: exactly one update finished each job, and each job tells the story once, in order, at the agent's times
        long finishing = applied.stream().map(CompletableFuture::join).filter(java.util.Optional::isPresent).count();
        assertEquals(ids.size(), finishing);
        for (String id : ids) {
            JobView job = store.view(id, true).orElseThrow();
            assertEquals("succeeded", job.status());
            assertEquals(id, job.result().path("varbinds").get(0).path("value").asText());
            assertEquals(List.of("queued", "running", "succeeded"), job.transitions().stream().map(JobView.Transition::status).toList());
            assertEquals(Instant.ofEpochMilli(started), job.startedAt());
            assertEquals(Instant.ofEpochMilli(started + 10), job.finishedAt());
            assertEquals("agent-" + id.substring(0, 4), job.agent());
            assertNull(job.error());
        }
        assertTrue(store.apply(JobUpdate.newBuilder().setJobId(ids.getFirst()).setAttempt(1)
                .setStatus(JobStatus.JOB_STATUS_FAILED).build()).isEmpty(), "a finished job takes no further update");
    }

    @Test
    void aJobWrittenAgainAfterACommitThatLookedFailedIsTakenAsStoredOnce() {
        // Given: a job whose batch committed although its writer was told it failed (the connection dropped in COMMIT)
        String element = element();
        JobEntity job = create(element, ANY_ELEMENT).join().job();

        // When: the writer writes it again, as it does with the items of a failed batch
        JobWriter.Stored again = writer.insert(new JobWriter.NewJob(job, ANY_ELEMENT)).join();

        // Then: the caller is told it is stored, with its element, and it is stored once
        assertNull(again.rejected());
        assertEquals(element, again.element().name);
        assertEquals(1, store.list(element, null, 0, 100).stream().filter(v -> v.id().equals(job.id)).count());
        assertEquals(List.of("queued"), store.view(job.id, true).orElseThrow().transitions().stream()
                .map(JobView.Transition::status).toList());
    }

    @Test
    void anUpdateOfAJobChangedElsewhereSinceTheWriterWroteItMeetsTheJobAsItIsNow() {
        // Given: two jobs the writer stored (and remembers), then changed behind its back by the maintenance loop
        String element = element();
        String timedOut = create(element, ANY_ELEMENT).join().job().id;
        String requeued = create(element, ANY_ELEMENT).join().job().id;
        store.finishWithoutAgent(timedOut, 1, io.netwarden.dnc.jobs.JobStatus.TIMED_OUT, "queue_timeout", "no agent took it");
        store.requeue(requeued, 1, "agent a silent; re-queued");

        // When: late answers of the first attempt, then the answer of the second
        var late = store.apply(succeeded(timedOut, 1, "a"));
        var stale = store.apply(succeeded(requeued, 1, "a"));
        var second = store.apply(succeeded(requeued, 2, "b"));

        // Then: the late ones change nothing; the second attempt's answer ends the re-queued job on top of its history
        assertTrue(late.isEmpty());
        JobView ended = store.view(timedOut, true).orElseThrow();
        assertEquals("timed_out", ended.status());
        assertEquals(List.of("queued", "timed_out"), ended.transitions().stream().map(JobView.Transition::status).toList());
        assertTrue(stale.isEmpty());
        assertTrue(second.isPresent());
        JobView job = store.view(requeued, true).orElseThrow();
        assertEquals("succeeded", job.status());
        assertEquals(2, job.attempt());
        assertEquals("b", job.agent());
        assertEquals(List.of("queued/1", "queued/2", "running/2", "succeeded/2"),
                job.transitions().stream().map(t -> t.status() + "/" + t.attempt()).toList());
        assertEquals("agent a silent; re-queued", job.transitions().get(1).detail());
    }

    private static JobUpdate succeeded(String id, int attempt, String agent) {
        long now = System.currentTimeMillis();
        return JobUpdate.newBuilder().setJobId(id).setAttempt(attempt).setAgent(agent).setStatus(JobStatus.JOB_STATUS_SUCCEEDED)
                .setStartedAtEpochMs(now - 5).setAtEpochMs(now)
                .addVarbinds(Varbind.newBuilder().setOid("1.3.6.1.2.1.1.5.0").setType("OctetString").setValue(agent)).build();
    }
}
