package io.netwarden.dnc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.AppProcess;
import io.netwarden.testing.SlowUdpProxy;
import io.netwarden.testing.TestEnv;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dispatcher and two agents as separate processes (the packaged jar) over the real NATS server, against the real snmpd.
 */
class DistributedJobsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "distributed-it-token-0123456789";

    @TempDir
    Path dir;

    private String pool;
    private AppProcess dispatcher;
    private AppProcess agentA;
    private AppProcess agentB;

    @BeforeEach
    void start() throws Exception {
        pool = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10); // no other run shares the queue
        dispatcher = AppProcess.start(Files.createDirectories(dir.resolve("dispatcher")), Map.of(
                "NETWARDEN_ROLES", "dispatcher", "NETWARDEN_NODE_NAME", "dispatcher-1", "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NATS_URL", TestEnv.natsUrl(), "NETWARDEN_DNC_DISPATCHER_POOL", pool,
                "NETWARDEN_DNC_DISPATCHER_AGENT_TIMEOUT", "3s", "NETWARDEN_DNC_DISPATCHER_REDISPATCH_AFTER", "2s",
                "NETWARDEN_DNC_DISPATCHER_MAINTENANCE_INTERVAL", "250ms"));
        agentA = agent("agent-a");
        agentB = agent("agent-b");
        dispatcher.awaitReady(Duration.ofSeconds(60));
        agentA.awaitReady(Duration.ofSeconds(60));
        agentB.awaitReady(Duration.ofSeconds(60));
    }

    private AppProcess agent(String name) throws Exception {
        return AppProcess.start(Files.createDirectories(dir.resolve(name)), Map.of(
                "NETWARDEN_ROLES", "agent", "NETWARDEN_NODE_NAME", name, "NETWARDEN_API_TOKEN", TOKEN,
                "NETWARDEN_NATS_URL", TestEnv.natsUrl(), "NETWARDEN_DNC_AGENT_POOL", pool,
                "NETWARDEN_DNC_AGENT_HEARTBEAT_INTERVAL", "500ms"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AppProcess p : new AppProcess[] {agentA, agentB, dispatcher}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private void element(String name, int port) throws Exception {
        String host = TestEnv.snmp().substring(0, TestEnv.snmp().lastIndexOf(':'));
        var created = dispatcher.post("/api/v1/elements", TOKEN, """
                {"name":"%s","address":"%s","snmp":{"port":%d,"community":"%s","timeout":"3s"}}"""
                .formatted(name, host, port, TestEnv.snmpCommunity()));
        assertEquals(201, created.statusCode(), created.body());
    }

    @Test
    void twoAgentsShareTheQueue() throws Exception {
        // Given
        element("shared", Integer.parseInt(TestEnv.snmp().substring(TestEnv.snmp().lastIndexOf(':') + 1)));

        // When: 24 jobs at once
        Set<String> agents = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> jobs = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                jobs.add(pool.submit(() -> JSON.readTree(dispatcher.post("/api/v1/jobs?wait=30s", TOKEN,
                        "{\"element\":\"shared\",\"operation\":\"snmp.walk\",\"oids\":[\"1.3.6.1.2.1.1\"]}").body())));
            }
            for (Future<JsonNode> job : jobs) {
                JsonNode done = job.get();
                assertEquals("succeeded", done.get("status").asText(), done.toString());
                agents.add(done.get("agent").asText());
            }
        }

        // Then: each job ran once, and both agents took part
        assertEquals(Set.of("agent-a", "agent-b"), agents);
        // the next heartbeats (every 500 ms) list the element as reached by both
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode listed = JSON.readTree(dispatcher.get("/api/v1/agents", TOKEN).body());
        while (System.nanoTime() < deadline && !bothReach(listed, "shared")) {
            Thread.sleep(100);
            listed = JSON.readTree(dispatcher.get("/api/v1/agents", TOKEN).body());
        }
        assertEquals(2, listed.size(), listed.toString());
        assertTrue(bothReach(listed, "shared"), listed.toString());
    }

    @Test
    void killingTheAgentMidJobStillFinishesTheJob() throws Exception {
        // Given: an element behind a proxy that slows every answer down, so a walk takes seconds
        String host = TestEnv.snmp().substring(0, TestEnv.snmp().lastIndexOf(':'));
        int snmpPort = Integer.parseInt(TestEnv.snmp().substring(TestEnv.snmp().lastIndexOf(':') + 1));
        try (SlowUdpProxy proxy = new SlowUdpProxy(new InetSocketAddress(host, snmpPort), 40)) {
            element("slow", proxy.port());
            String id = JSON.readTree(dispatcher.post("/api/v1/jobs", TOKEN,
                    "{\"element\":\"slow\",\"operation\":\"snmp.walk\",\"oids\":[\"1.3.6.1.2.1.2.2.1\"],\"timeout\":\"5m\"}").body())
                    .get("id").asText();

            // When: the agent running it dies without a word
            String victim = awaitField(id, "agent", Duration.ofSeconds(20));
            assertEquals("running", job(id).get("status").asText());
            (victim.equals("agent-a") ? agentA : agentB).kill();

            // Then: the job is re-queued and the other agent finishes it
            JsonNode done = dispatcher.awaitJobFinished(id, TOKEN, Duration.ofMinutes(3));
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            assertEquals(victim.equals("agent-a") ? "agent-b" : "agent-a", done.get("agent").asText());
            assertEquals(2, done.get("attempt").asInt());
            assertTrue(done.get("result").get("varbinds").size() > 10);
            String history = done.get("transitions").toString();
            assertTrue(history.contains("agent " + victim + " silent"), history);
        }
    }

    @Test
    void anAgentKilledWhileProvisioningLeavesTheLockUntilItsLeaseRunsOut() throws Exception {
        // Given: a telnet element and a provision that takes a while
        String host = TestEnv.telnet().substring(0, TestEnv.telnet().lastIndexOf(':'));
        int port = Integer.parseInt(TestEnv.telnet().substring(TestEnv.telnet().lastIndexOf(':') + 1));
        assertEquals(201, dispatcher.post("/api/v1/elements", TOKEN, """
                {"name":"box","address":"%s","telnet":{"port":%d,"username":"%s","password":"%s"}}"""
                .formatted(host, port, TestEnv.telnetUser(), TestEnv.telnetPassword())).statusCode());
        var submitted = dispatcher.post("/api/v1/jobs", TOKEN,
                "{\"element\":\"box\",\"operation\":\"provision\",\"commands\":[\"sleep 30\"],\"timeout\":\"4s\"}");
        assertEquals(202, submitted.statusCode(), submitted.body() + "\n" + dispatcher.output());
        String id = JSON.readTree(submitted.body()).get("id").asText();

        // When: the agent doing it dies
        String victim = awaitField(id, "agent", Duration.ofSeconds(20));
        (victim.equals("agent-a") ? agentA : agentB).kill();

        // Then: the job fails as agent_lost (it is never run twice) and the lock stays until the lease ends
        JsonNode lost = dispatcher.awaitJobFinished(id, TOKEN, Duration.ofSeconds(30));
        assertEquals("failed", lost.get("status").asText(), lost.toString());
        assertEquals("agent_lost", lost.get("errorCode").asText());
        var lock = dispatcher.get("/api/v1/elements/box/lock", TOKEN);
        assertEquals(200, lock.statusCode(), "still locked right after the agent was declared lost");
        assertEquals("job:" + id, JSON.readTree(lock.body()).get("holder").asText());

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (dispatcher.get("/api/v1/elements/box/lock", TOKEN).statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertEquals(404, dispatcher.get("/api/v1/elements/box/lock", TOKEN).statusCode(), "the lease ran out");
        JsonNode next = JSON.readTree(dispatcher.post("/api/v1/jobs?wait=30s", TOKEN,
                "{\"element\":\"box\",\"operation\":\"provision\",\"commands\":[\"echo after\"]}").body());
        assertEquals("succeeded", next.get("status").asText(), next.toString());
        assertEquals("after", next.get("result").get("outputs").get(0).get("output").asText());
    }

    private static boolean bothReach(JsonNode agents, String element) {
        int reaching = 0;
        for (JsonNode a : agents) {
            if (a.get("alive").asBoolean() && a.get("reachableElements").toString().contains("\"" + element + "\"")) {
                reaching++;
            }
        }
        return reaching == 2;
    }

    private JsonNode job(String id) throws Exception {
        return dispatcher.job(id, TOKEN);
    }

    private String awaitField(String id, String field, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = job(id);
            if (job.hasNonNull(field)) {
                return job.get(field).asText();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " never got a " + field + ": " + job(id));
    }
}
