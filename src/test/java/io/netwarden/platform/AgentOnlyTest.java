package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netwarden.platform.lifecycle.Lifecycle;
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
    void platformEndpointsStillWork() {
        authed().get("/api/v1/loggers/ROOT").then().statusCode(200).body("level", equalTo("INFO"));
    }
}
