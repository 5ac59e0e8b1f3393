import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.dnc.snmp.Oid;
import io.netwarden.dnc.snmp.Snmp4jClient;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.platform.auth.Secret;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fan-out: every round walks the same subtrees on each of {@code count} SNMP agents at once, three ways —
 * net-snmp's snmpbulkwalk (one process per agent and subtree), Netwarden's SNMP client as the agent role uses it (one
 * transport, a virtual thread per agent), and Netwarden end to end (a {@code snmp.bulkwalk} job per agent through the
 * API, dispatcher, database, NATS and agent, result stored). Prints varbinds per second of each and the ratios.
 * Usage: java -cp … bench/FanOutBench.java apiBase token host firstPort count community rounds oid,oid,…
 */
public class FanOutBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    interface Walk {
        /** Walks every subtree on the agent at {@code port}; returns the number of varbinds. */
        int on(int port) throws Exception;
    }

    public static void main(String[] a) throws Exception {
        String api = a[0], token = a[1], host = a[2];
        int firstPort = Integer.parseInt(a[3]), count = Integer.parseInt(a[4]);
        String community = a[5];
        int rounds = Integer.parseInt(a[6]);
        List<String> oids = Arrays.asList(a[7].split(","));
        int maxRep = 25;

        Walk netSnmp = port -> {
            int lines = 0;
            for (String oid : oids) {
                Process p = new ProcessBuilder("snmpbulkwalk", "-v2c", "-c", community, "-On", "-Cr" + maxRep,
                        host + ":" + port, oid).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    while (out.readLine() != null) {
                        lines++;
                    }
                }
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("snmpbulkwalk failed on port " + port);
                }
            }
            return lines;
        };

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < count; i++) {
            int port = firstPort + i;
            HttpResponse<String> r = http.send(post(api + "/api/v1/elements", token, """
                    {"name":"fan-%d","address":"%s","snmp":{"port":%d,"community":"%s","timeout":"5s","retries":1,"maxRepetitions":%d}}"""
                    .formatted(port, host, port, community, maxRep)), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("cannot create element fan-" + port + ": " + r.body());
            }
        }
        String oidJson = JSON.writeValueAsString(oids);
        Walk endToEnd = port -> {
            HttpResponse<String> r = http.send(post(api + "/api/v1/jobs?wait=120s", token,
                    "{\"element\":\"fan-" + port + "\",\"operation\":\"snmp.bulkwalk\",\"oids\":" + oidJson + ",\"timeout\":\"120s\"}"),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode job = JSON.readTree(r.body());
            if (r.statusCode() != 200 || !"succeeded".equals(job.path("status").asText())) {
                throw new IllegalStateException("job on fan-" + port + " did not succeed: " + r.statusCode() + " " + r.body());
            }
            return job.get("result").get("varbinds").size();
        };

        try (Snmp4jClient client = new Snmp4jClient()) {
            Walk agentLayer = port -> {
                SnmpTarget target = new SnmpTarget(host, port, SnmpVersion.V2C, Secret.of(community), null, null, null,
                        null, null, Duration.ofSeconds(5), 1, maxRep);
                int n = 0;
                for (String oid : oids) {
                    n += client.bulkWalk(target, Oid.of(oid)).size();
                }
                return n;
            };
            // warm-up: one round each
            run(netSnmp, firstPort, count, 1);
            run(agentLayer, firstPort, count, 1);
            run(endToEnd, firstPort, count, 1);
            double peer = run(netSnmp, firstPort, count, rounds);
            double layer = run(agentLayer, firstPort, count, rounds);
            double e2e = run(endToEnd, firstPort, count, rounds);
            System.out.printf("fan-out: %d snmpd agents, subtrees %s, max-repetitions %d, %d rounds, all agents at once%n",
                    count, oids, maxRep, rounds);
            System.out.printf("  snmpbulkwalk, one process per agent and subtree: %9.0f varbinds/s%n", peer);
            System.out.printf("  netwarden SNMP client (agent role's engine):     %9.0f varbinds/s  (%.2fx)%n", layer, layer / peer);
            System.out.printf("  netwarden end to end (bulkwalk jobs via API):    %9.0f varbinds/s  (%.2fx)%n", e2e, e2e / peer);
            System.out.printf("  goal >= 10000 varbinds/s on 2 cores: client %s, end to end %s%n",
                    layer >= 10_000 ? "met" : "NOT met", e2e >= 10_000 ? "met" : "NOT met");
        }
    }

    private static HttpRequest post(String url, String token, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** Varbinds per second over {@code rounds} rounds, each walking all agents at once. */
    private static double run(Walk walk, int firstPort, int count, int rounds) throws Exception {
        long varbinds = 0;
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < rounds; r++) {
                List<Future<Integer>> walks = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int port = firstPort + i;
                    walks.add(pool.submit((Callable<Integer>) () -> walk.on(port)));
                }
                for (Future<Integer> w : walks) {
                    varbinds += w.get();
                }
            }
        }
        return varbinds / ((System.nanoTime() - start) / 1e9);
    }
}
