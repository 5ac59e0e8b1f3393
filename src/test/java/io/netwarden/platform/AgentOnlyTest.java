package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netwarden.platform.lifecycle.Lifecycle;
import io.netwarden.proto.dnc.v1.GetJobRequest;
import io.netwarden.proto.dnc.v1.JobServiceGrpc;
import io.netwarden.proto.platform.v1.GetNodeRequest;
import io.netwarden.proto.platform.v1.NodeServiceGrpc;
import io.netwarden.platform.lifecycle.RoleState;
import io.netwarden.testing.ProbeRoleService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node started with only the agent role runs nothing of the others and hides their endpoints. */
@QuarkusTest
@TestProfile(AgentOnlyTest.AgentOnly.class)
class AgentOnlyTest {

    public static class AgentOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("netwarden.roles", "agent");
        }
    }

    @Inject
    ProbeRoleService registryProbe;

    @Inject
    Lifecycle lifecycle;

    @Test
    void nodeListsOnlyTheAgent() {
        authed().get("/api/v1/node").then().statusCode(200).body("roles", equalTo(List.of("agent")));
    }

    @Test
    void anotherRolesEndpointAnswers404WithJson() {
        authed().get("/api/v1/registry/search-terms").then().statusCode(404)
                .contentType("application/json")
                .body("error", equalTo("role_not_active"))
                .body("message", containsString("registry role is not active"))
                .body("message", containsString("active roles: agent"));
    }

    @Test
    void servicesOfInactiveRolesNeverStart() {
        assertEquals(0, registryProbe.starts.get());
        assertEquals(RoleState.INACTIVE, lifecycle.state(Role.REGISTRY));
        assertEquals(RoleState.RUNNING, lifecycle.state(Role.AGENT));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'role registry' }.data.state", equalTo("inactive"))
                .body("checks.find { it.name == 'role agent' }.data.state", equalTo("running"));
    }

    @Test
    void platformEndpointsStillWork() throws Exception {
        authed().get("/api/v1/loggers/ROOT").then().statusCode(200).body("level", equalTo("INFO"));
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", io.restassured.RestAssured.port)
                .usePlaintext().build();
        try {
            assertEquals(List.of("agent"), NodeServiceGrpc.newBlockingStub(channel).withInterceptors(token())
                    .getNode(GetNodeRequest.getDefaultInstance()).getRolesList());
        } finally {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void anotherRolesGrpcServiceIsUnimplementedNamingTheRole() throws Exception {
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", io.restassured.RestAssured.port)
                .usePlaintext().build();
        try {
            var refused = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                    () -> JobServiceGrpc.newBlockingStub(channel).withInterceptors(token())
                            .get(GetJobRequest.newBuilder().setId("00000000-0000-0000-0000-000000000000").build()));
            assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
            org.hamcrest.MatcherAssert.assertThat(refused.getStatus().getDescription(),
                    containsString("the dispatcher role is not active on node"));
        } finally {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static io.grpc.ClientInterceptor token() {
        io.grpc.Metadata auth = new io.grpc.Metadata();
        auth.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + io.netwarden.testing.Api.TOKEN);
        return io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(auth);
    }
}
