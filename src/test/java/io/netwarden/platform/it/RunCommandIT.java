package io.netwarden.platform.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar with embedded defaults (H2 file, in-process bus, no Kafka): what the README's run command gives. */
class RunCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void embeddedDefaultsServeThePlatformAsDocumented() throws Exception {
        try (AppProcess app = AppProcess.start(dir, Map.of())) {
            // ready within 15 s
            Duration ready = app.awaitReady(Duration.ofSeconds(30));
            assertTrue(ready.compareTo(Duration.ofSeconds(15)) < 0, "ready after " + ready);

            // a token was generated into the data dir, owner-only, and only its path was logged
            Path tokenFile = dir.resolve("data/api-token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile).strip();
            assertTrue(app.output().contains("API token: generated and stored in " + tokenFile.toRealPath()), app.output());
            assertFalse(app.output().contains(token), "the token itself never reaches the log");
            assertTrue(Files.exists(dir.resolve("data/db/netwarden.mv.db")), "embedded H2 file under the data dir");

            // node lists all five roles with the token, 401 without
            var node = app.get("/api/v1/node", token);
            assertEquals(200, node.statusCode());
            assertEquals(List.of("agent", "dispatcher", "registry", "edge-node", "netmanager"), texts(JSON.readTree(node.body()).get("roles")));
            var denied = app.get("/api/v1/node", null);
            assertEquals(401, denied.statusCode());
            assertEquals("unauthorized", JSON.readTree(denied.body()).get("error").asText());

            // OpenAPI lists the /api/v1 paths
            JsonNode openapi = JSON.readTree(app.get("/q/openapi?format=json", null).body());
            List<String> paths = new ArrayList<>();
            openapi.get("paths").fieldNames().forEachRemaining(paths::add);
            assertTrue(paths.containsAll(List.of("/api/v1/node", "/api/v1/loggers", "/api/v1/loggers/{name}")), paths.toString());

            // metrics: JVM and HTTP server
            String metrics = app.get("/q/metrics", null).body();
            assertTrue(metrics.contains("jvm_memory_used_bytes"));
            assertTrue(metrics.contains("http_server_requests_seconds_count"));

            // a PUT on a logger changes its level
            var put = app.put("/api/v1/loggers/io.netwarden", token, "{\"level\":\"DEBUG\"}");
            assertEquals(200, put.statusCode(), put.body());
            assertEquals("DEBUG", JSON.readTree(app.get("/api/v1/loggers/io.netwarden", token).body()).get("level").asText());

            // readiness names the embedded pieces
            String health = app.get("/q/health/ready", null).body();
            assertTrue(health.contains("in-process bus") && health.contains("\"h2\": \"UP\""), health);

            // SIGTERM stops the roles gracefully
            app.stop();
            assertTrue(app.output().contains("role agent stopped"), app.output());
            assertTrue(app.output().contains("netwarden stopped"), app.output());
        }
    }

    @Test
    void aRestartKeepsTheGeneratedTokenAndTheDatabase() throws Exception {
        String first;
        try (AppProcess app = AppProcess.start(dir, Map.of())) {
            app.awaitReady(Duration.ofSeconds(30));
            first = Files.readString(dir.resolve("data/api-token")).strip();
            app.stop();
        }
        try (AppProcess app = AppProcess.start(dir, Map.of())) {
            app.awaitReady(Duration.ofSeconds(30));
            assertEquals(first, Files.readString(dir.resolve("data/api-token")).strip());
            assertEquals(200, app.get("/api/v1/node", first).statusCode());
            assertTrue(app.output().contains("API token: read from"), app.output());
            app.stop();
        }
    }

    @Test
    void anExplicitTokenReplacesTheFile() throws Exception {
        try (AppProcess app = AppProcess.start(dir, Map.of("NETWARDEN_API_TOKEN", "op-chosen-token-0123456789abc"))) {
            app.awaitReady(Duration.ofSeconds(30));
            assertEquals(200, app.get("/api/v1/node", "op-chosen-token-0123456789abc").statusCode());
            assertFalse(Files.exists(dir.resolve("data/api-token")));
            assertFalse(app.output().contains("op-chosen-token-0123456789abc"));
            app.stop();
        }
    }

    @Test
    void theRunScriptSaysWhereTheTokenComesFromNeverWhatItIs() throws Exception {
        // Given
        String token = "run-script-token-0123456789abcdef";
        ProcessBuilder builder = new ProcessBuilder("scripts/run.sh").redirectErrorStream(true);
        builder.environment().put("NETWARDEN_API_TOKEN", token);
        builder.environment().put("NETWARDEN_DATA_DIR", dir.resolve("data").toString());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(io.netwarden.testing.TestEnv.freePort()));

        // When: the banner, read before the server it starts is stopped
        Process run = builder.start();
        StringBuilder banner = new StringBuilder();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(run.getInputStream()))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                banner.append(line).append('\n');
                if (line.contains("token:")) {
                    break;
                }
            }
        } finally {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly().waitFor();
        }

        // Then
        assertTrue(banner.toString().contains("token:      from NETWARDEN_API_TOKEN"), banner.toString());
        assertFalse(banner.toString().contains(token), banner.toString());
        assertTrue(banner.toString().contains("http://127.0.0.1:"), banner.toString());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
