import io.netwarden.dnc.snmp.Oid;
import io.netwarden.dnc.snmp.Snmp4jClient;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.platform.auth.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Whole-agent bulkwalk: Netwarden's SNMP client against net-snmp's snmpbulkwalk on the same agent, alternating, same
 * max-repetitions, after 5 s of warm-up walks with Netwarden's client. Prints the median wall time of each and the ratio
 * (Netwarden / snmpbulkwalk; lower is better).
 * Usage: java -cp <classes+deps> bench/BulkWalkBench.java host:port community rounds maxRepetitions
 */
public class BulkWalkBench {
    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String community = args[1];
        int rounds = Integer.parseInt(args[2]);
        int maxRep = Integer.parseInt(args[3]);
        String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
        SnmpTarget target = new SnmpTarget(host, port, SnmpVersion.V2C, Secret.of(community), null, null, null, null, null,
                Duration.ofSeconds(2), 1, maxRep);
        List<String> cli = List.of("snmpbulkwalk", "-v2c", "-c", community, "-On", "-Cr" + maxRep, endpoint, "1.3.6.1");
        List<Long> ours = new ArrayList<>();
        List<Long> theirs = new ArrayList<>();
        int varbinds = 0;
        int warmUpWalks = 0;
        try (Snmp4jClient client = new Snmp4jClient()) {
            // the agent is a long-running process: its client is measured with the JIT warm, as it runs there (a few
            // seconds of walks; snmpbulkwalk is native code with nothing to warm)
            long warmUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < warmUntil) {
                client.bulkWalk(target, Oid.of("1.3.6.1"));
                warmUpWalks++;
            }
            for (int i = 0; i < rounds + 3; i++) {
                long t0 = System.nanoTime();
                varbinds = client.bulkWalk(target, Oid.of("1.3.6.1")).size();
                long t1 = System.nanoTime();
                Process p = new ProcessBuilder(cli).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("snmpbulkwalk failed");
                }
                long t2 = System.nanoTime();
                if (i >= 3) { // the first alternating rounds warm up the agent's caches for both
                    ours.add(t1 - t0);
                    theirs.add(t2 - t1);
                }
            }
        }
        double a = median(ours) / 1e6;
        double b = median(theirs) / 1e6;
        System.out.printf("whole-agent bulkwalk of %s, %d varbinds, max-repetitions %d, %d rounds (after %d warm-up walks)%n",
                endpoint, varbinds, maxRep, rounds, warmUpWalks);
        System.out.printf("  netwarden (in-process client): median %8.2f ms%n", a);
        System.out.printf("  snmpbulkwalk (process):        median %8.2f ms%n", b);
        System.out.printf("  ratio netwarden/snmpbulkwalk:  %.2fx (goal <= 1.0x)%n", a / b);
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
