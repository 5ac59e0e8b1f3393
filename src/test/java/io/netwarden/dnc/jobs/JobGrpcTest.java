package io.netwarden.dnc.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.netwarden.proto.dnc.v1.GetJobRequest;
import io.netwarden.proto.dnc.v1.Job;
import io.netwarden.proto.dnc.v1.JobServiceGrpc;
import io.netwarden.proto.dnc.v1.JobStatus;
import io.netwarden.proto.dnc.v1.SubmitJobRequest;
import io.netwarden.testing.Api;
import io.netwarden.testing.SlowUdpProxy;
import io.netwarden.testing.TestEnv;
import io.netwarden.testing.TestElements;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** netwarden.dnc.v1.JobService over gRPC on the HTTP port. */
@QuarkusTest
class JobGrpcTest {

    private ManagedChannel channel;
    private JobServiceGrpc.JobServiceBlockingStub jobs;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + Api.TOKEN);
        jobs = JobServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void submitWatchAndGet() {
        // Given
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);

        // When
        Job submitted = jobs.submit(SubmitJobRequest.newBuilder().setElement(element).setOperation("snmp.walk")
                .addOids("1.3.6.1.2.1.1").build());
        List<Job> states = new ArrayList<>();
        Iterator<Job> watch = jobs.watch(GetJobRequest.newBuilder().setId(submitted.getId()).build());
        watch.forEachRemaining(states::add);

        // Then: the stream ends with the finished job, each state different from the one before
        assertEquals(JobStatus.JOB_STATUS_QUEUED, submitted.getStatus());
        Job last = states.getLast();
        assertEquals(JobStatus.JOB_STATUS_SUCCEEDED, last.getStatus(), states.toString());
        for (int i = 1; i < states.size(); i++) {
            assertTrue(!states.get(i).equals(states.get(i - 1)));
        }
        Job fetched = jobs.get(GetJobRequest.newBuilder().setId(submitted.getId()).build());
        assertEquals(last, fetched);
        assertTrue(fetched.getVarbindsList().stream().anyMatch(vb -> vb.getOid().equals("1.3.6.1.2.1.1.6.0")
                && vb.getValue().equals("netwarden-test")));
    }

    @Test
    void watchShowsALongJobRunningAndThenItsEnd() throws Exception {
        // Given: an element behind a proxy that delays every answer, so a walk takes seconds
        try (SlowUdpProxy proxy = new SlowUdpProxy(new InetSocketAddress(TestElements.SNMP_HOST, TestElements.SNMP_PORT), 150)) {
            String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), proxy.port());

            // When
            Job submitted = jobs.submit(SubmitJobRequest.newBuilder().setElement(element).setOperation("snmp.walk")
                    .addOids("1.3.6.1.2.1.1").build());
            List<Job> states = new ArrayList<>();
            jobs.watch(GetJobRequest.newBuilder().setId(submitted.getId()).build()).forEachRemaining(states::add);

            // Then: running (with its agent) is seen while the walk goes on, the stream ends with the result
            assertTrue(states.stream().anyMatch(j -> j.getStatus() == JobStatus.JOB_STATUS_RUNNING && !j.getAgent().isEmpty()),
                    states.toString());
            assertEquals(JobStatus.JOB_STATUS_SUCCEEDED, states.getLast().getStatus(), states.toString());
            assertTrue(states.getLast().getVarbindsCount() > 5, states.getLast().toString());
        }
    }

    @Test
    void errorsMapToGrpcStatuses() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        var notFound = assertThrows(StatusRuntimeException.class, () -> jobs.submit(SubmitJobRequest.newBuilder()
                .setElement("no-such-element").setOperation("snmp.get").addOids("1.3.6").build()));
        assertEquals(Status.Code.NOT_FOUND, notFound.getStatus().getCode());
        var malformed = assertThrows(StatusRuntimeException.class, () -> jobs.submit(SubmitJobRequest.newBuilder()
                .setElement(element).setOperation("snmp.get").addOids("1.3.x").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, malformed.getStatus().getCode());
        assertTrue(malformed.getStatus().getDescription().startsWith("malformed_oid"), malformed.getStatus().getDescription());
        var missing = assertThrows(StatusRuntimeException.class, () -> jobs.get(GetJobRequest.newBuilder().setId("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        var unauthenticated = assertThrows(StatusRuntimeException.class,
                () -> JobServiceGrpc.newBlockingStub(channel).get(GetJobRequest.newBuilder().setId("x").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, unauthenticated.getStatus().getCode());
    }
}
