package io.netwarden.dnc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.TestEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two dispatchers on one PostgreSQL database share the agents' updates (a NATS queue group): a caller waiting on one of
 * them must be answered when the other one records the job's end. Separate processes (the packaged jar), real NATS,
 * PostgreSQL and snmpd.
 */
class TwoDispatchersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "two-dispatchers-it-token-01234";
    private static final Pattern FOUND_IN_DATABASE = Pattern.compile("(?m)^netwarden_dnc_waiters_found_in_database_total\\S* (\\S+)$");

    @TempDir
    Path dir;

    private AppProcess first;
    private AppProcess second;

    @BeforeEach
    void start() throws Exception {
        String pool = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        // the first only dispatches; the second also runs the agent, so updates reach both dispatchers
        first = dispatcher("dispatcher-1", "dispatcher", pool);
        second = dispatcher("dispatcher-2", "dispatcher,agent", pool);
        first.awaitReady(Duration.ofSeconds(60));
        second.awaitReady(Duration.ofSeconds(60));
    }

    private AppProcess dispatcher(String name, String roles, String pool) throws Exception {
        return AppProcess.start(Files.createDirectories(dir.resolve(name)), Map.ofEntries(
                Map.entry("NETWARDEN_ROLES", roles), Map.entry("NETWARDEN_NODE_NAME", name),
                Map.entry("NETWARDEN_API_TOKEN", TOKEN), Map.entry("NETWARDEN_NATS_URL", TestEnv.natsUrl()),
                Map.entry("QUARKUS_DATASOURCE_JDBC_URL", TestEnv.pgUrl()),
                Map.entry("QUARKUS_DATASOURCE_USERNAME", TestEnv.pgUser()),
                Map.entry("QUARKUS_DATASOURCE_PASSWORD", TestEnv.pgPassword()),
                Map.entry("NETWARDEN_DNC_DISPATCHER_POOL", pool), Map.entry("NETWARDEN_DNC_AGENT_POOL", pool),
                Map.entry("NETWARDEN_DNC_DISPATCHER_MAINTENANCE_INTERVAL", "250ms")));
    }

    @AfterEach
    void stop() throws Exception {
        for (AppProcess p : new AppProcess[] {second, first}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void aCallerWaitingOnOneDispatcherHearsTheEndRecordedByTheOther() throws Exception {
        // Given: an element, and the two dispatchers aware of each other
        String element = "two-" + UUID.randomUUID().toString().substring(0, 8);
        String host = TestEnv.snmp().substring(0, TestEnv.snmp().lastIndexOf(':'));
        int port = Integer.parseInt(TestEnv.snmp().substring(TestEnv.snmp().lastIndexOf(':') + 1));
        var created = first.post("/api/v1/elements", TOKEN, """
                {"name":"%s","address":"%s","snmp":{"port":%d,"community":"%s"}}"""
                .formatted(element, host, port, TestEnv.snmpCommunity()));
        assertEquals(201, created.statusCode(), created.body());
        awaitOutput(first, "dispatcher dispatcher-2 (", Duration.ofSeconds(20));
        awaitOutput(second, "dispatcher dispatcher-1 (", Duration.ofSeconds(20));
        String job = "{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"]}";
        for (int i = 0; i < 5; i++) { // warm up: a cold process can take seconds over its first jobs
            assertEquals(200, first.post("/api/v1/jobs?wait=30s", TOKEN, job).statusCode());
        }
        double foundBefore = foundInDatabase(first);

        // When: 30 jobs wait on the first dispatcher; either dispatcher takes each agent update
        List<JsonNode> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> jobs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                jobs.add(pool.submit(() -> JSON.readTree(first.post("/api/v1/jobs?wait=30s", TOKEN, job).body())));
            }
            for (Future<JsonNode> answer : jobs) {
                answers.add(answer.get());
            }
        }

        // Then: every caller got the end, and none had to be found by the database look-up (the announcement came)
        for (JsonNode done : answers) {
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            assertEquals(1, done.get("result").get("varbinds").size(), done.toString());
        }
        assertEquals(foundBefore, foundInDatabase(first), first.output());
    }

    private static double foundInDatabase(AppProcess app) throws Exception {
        String metrics = app.get("/q/metrics", TOKEN).body();
        Matcher m = FOUND_IN_DATABASE.matcher(metrics);
        assertTrue(m.find(), "no waiter metric in:\n" + metrics);
        return Double.parseDouble(m.group(1));
    }

    private static void awaitOutput(AppProcess app, String text, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!app.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(app.output().contains(text), "expected '" + text + "' in:\n" + app.output());
    }
}
