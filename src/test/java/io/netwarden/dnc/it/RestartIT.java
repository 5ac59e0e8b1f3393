package io.netwarden.dnc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.NatsServerProcess;
import io.netwarden.testing.TestEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing queued is lost when the dispatcher or NATS goes away: the dispatcher and an agent as separate processes (the
 * packaged jar), the dispatcher's database an H2 file in its working directory, against the real snmpd.
 */
class RestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "restart-it-token-0123456789abc";
    private static final int JOBS = 12;

    @TempDir
    Path dir;

    private final String pool = "rs" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final List<AppProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AppProcess p : processes) {
            p.close();
        }
    }

    @Test
    void queuedJobsSurviveADispatcherCrash() throws Exception {
        // Given: jobs queued while no agent is there to take them
        Path dispatcherDir = Files.createDirectories(dir.resolve("dispatcher"));
        AppProcess dispatcher = dispatcher(dispatcherDir, TestEnv.natsUrl());
        element(dispatcher);
        List<String> ids = submit(dispatcher);
        for (String id : ids) {
            assertEquals("queued", dispatcher.job(id, TOKEN).get("status").asText());
        }

        // When: the dispatcher dies without a word, comes back on the same database, and only then an agent starts
        dispatcher.kill();
        AppProcess restarted = dispatcher(dispatcherDir, TestEnv.natsUrl());
        agent(TestEnv.natsUrl());

        // Then: every job queued before the crash runs, once
        for (String id : ids) {
            JsonNode done = restarted.awaitJobFinished(id, TOKEN, Duration.ofSeconds(60));
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            assertEquals(1, done.get("attempt").asInt(), done.toString());
            JsonNode sysDescr = done.get("result").get("varbinds").get(0);
            assertEquals("1.3.6.1.2.1.1.1.0", sysDescr.get("oid").asText(), done.toString());
            assertTrue(!sysDescr.get("value").asText().isBlank(), done.toString());
        }
    }

    @Test
    void jobsSubmittedWhileNatsIsDownRunWhenItComesBack() throws Exception {
        try (NatsServerProcess nats = new NatsServerProcess(TestEnv.freePort()).start()) {
            // Given: dispatcher and agent on a NATS server of their own
            AppProcess dispatcher = dispatcher(Files.createDirectories(dir.resolve("dispatcher")), nats.url());
            agent(nats.url());
            element(dispatcher);

            // When: NATS goes away, jobs are submitted, NATS comes back
            nats.stop();
            List<String> ids = submit(dispatcher);
            for (String id : ids) {
                assertEquals("queued", dispatcher.job(id, TOKEN).get("status").asText());
            }
            nats.start();

            // Then: every job runs
            for (String id : ids) {
                JsonNode done = dispatcher.awaitJobFinished(id, TOKEN, Duration.ofSeconds(60));
                assertEquals("succeeded", done.get("status").asText(), done.toString());
                assertEquals(1, done.get("result").get("varbinds").size(), done.toString());
            }
        }
    }

    private AppProcess dispatcher(Path workDir, String natsUrl) throws Exception {
        AppProcess p = AppProcess.start(workDir, Map.of(
                "NETWARDEN_ROLES", "dispatcher", "NETWARDEN_NODE_NAME", "dispatcher-1", "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NATS_URL", natsUrl, "NETWARDEN_DNC_DISPATCHER_POOL", pool,
                "NETWARDEN_DNC_DISPATCHER_REDISPATCH_AFTER", "2s", "NETWARDEN_DNC_DISPATCHER_MAINTENANCE_INTERVAL", "250ms",
                "NETWARDEN_DNC_DISPATCHER_QUEUE_TIMEOUT", "5m"));
        processes.add(p);
        p.awaitReady(Duration.ofSeconds(60));
        return p;
    }

    private void agent(String natsUrl) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "NETWARDEN_ROLES", "agent", "NETWARDEN_NODE_NAME", "agent-1", "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NATS_URL", natsUrl, "NETWARDEN_DNC_AGENT_POOL", pool));
        AppProcess p = AppProcess.start(Files.createDirectories(dir.resolve("agent")), env);
        processes.add(p);
        p.awaitReady(Duration.ofSeconds(60));
    }

    private static void element(AppProcess dispatcher) throws Exception {
        String host = TestEnv.snmp().substring(0, TestEnv.snmp().lastIndexOf(':'));
        int port = Integer.parseInt(TestEnv.snmp().substring(TestEnv.snmp().lastIndexOf(':') + 1));
        var created = dispatcher.post("/api/v1/elements", TOKEN, """
                {"name":"box","address":"%s","snmp":{"port":%d,"community":"%s"}}"""
                .formatted(host, port, TestEnv.snmpCommunity()));
        assertEquals(201, created.statusCode(), created.body());
    }

    private static List<String> submit(AppProcess dispatcher) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            var response = dispatcher.post("/api/v1/jobs", TOKEN,
                    "{\"element\":\"box\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.1.0\"]}");
            assertEquals(202, response.statusCode(), response.body());
            ids.add(JSON.readTree(response.body()).get("id").asText());
        }
        return ids;
    }

}
