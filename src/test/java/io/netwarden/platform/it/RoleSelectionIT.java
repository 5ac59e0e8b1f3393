package io.netwarden.platform.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Role selection on the packaged jar: by NETWARDEN_ROLES, by Quarkus profile, and what a wrong value does. */
class RoleSelectionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "role-selection-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void netwardenRolesAgentGivesOnlyTheAgent() throws Exception {
        assertOnlyAgent(Map.of("NETWARDEN_ROLES", "agent", "NETWARDEN_API_TOKEN", TOKEN));
    }

    @Test
    void theAgentProfileGivesOnlyTheAgent() throws Exception {
        assertOnlyAgent(Map.of("QUARKUS_PROFILE", "agent", "NETWARDEN_API_TOKEN", TOKEN));
    }

    private void assertOnlyAgent(Map<String, String> env) throws Exception {
        try (AppProcess app = AppProcess.start(dir, env)) {
            app.awaitReady(Duration.ofSeconds(30));
            var node = JSON.readTree(app.get("/api/v1/node", TOKEN).body());
            assertEquals(1, node.get("roles").size(), node.toString());
            assertEquals("agent", node.get("roles").get(0).asText());
            var other = app.get("/api/v1/registry/search-terms", TOKEN);
            assertEquals(404, other.statusCode());
            assertEquals("role_not_active", JSON.readTree(other.body()).get("error").asText());
            assertTrue(app.output().contains("role agent running"));
            assertTrue(!app.output().contains("role registry running"), app.output());
            app.stop();
        }
    }

    @Test
    void anUnknownRoleStopsStartUpNamingTheValidOnes() throws Exception {
        try (AppProcess app = AppProcess.start(dir, Map.of("NETWARDEN_ROLES", "bogus"))) {
            int exit = app.awaitExit(Duration.ofSeconds(30));
            assertNotEquals(0, exit);
            assertTrue(app.output().contains("unknown role 'bogus'; valid roles: agent, dispatcher, registry, edge-node, netmanager, all"),
                    app.output());
        }
    }

    @Test
    void anUnsupportedDatabaseUrlStopsStartUpClearly() throws Exception {
        try (AppProcess app = AppProcess.start(dir, Map.of("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:mysql://db/netwarden"))) {
            int exit = app.awaitExit(Duration.ofSeconds(30));
            assertNotEquals(0, exit);
            assertTrue(app.output().contains("unsupported database URL"), app.output());
        }
    }
}
