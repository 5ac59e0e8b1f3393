import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * NOTIFY sent → service visible in the registry's API, for N distinct devices (each its own address and description),
 * one new device every 1/rate s; and, as the peer, when GSSDP's resource browser on the same interface saw the same
 * NOTIFY (a control point that only listens: no description fetched, nothing stored). Prints p50/p99/max of both and
 * the ratio of the medians. A warm-up of 300 other USNs and LOCATIONs on the same addresses comes first, not counted,
 * and 200 GETs of this client's own.
 *   java bench/SsdpNotifyBench.java <api base> <token> <netns> <host interface> <run id> <urn> <devices> <rate/s>
 */
public class SsdpNotifyBench {

    static final int WARM_UP = 300;
    static final long POLL = 5;

    public static void main(String[] args) throws Exception {
        String api = args[0];
        String token = args[1];
        String netns = args[2];
        String hostInterface = args[3];
        String run = args[4];
        String urn = args[5];
        int devices = Integer.parseInt(args[6]);
        double rate = Double.parseDouble(args[7]);

        Process sender = new ProcessBuilder("ip", "netns", "exec", netns, System.getProperty("java.home") + "/bin/java",
                "bench/SsdpDevices.java", run, urn).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader sent = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.US_ASCII));
        PrintStream commands = new PrintStream(sender.getOutputStream(), true, StandardCharsets.US_ASCII);
        expect(sent, "ready");

        Process peer = new ProcessBuilder("/usr/bin/python3", "bench/gssdp-browse.py", hostInterface, urn)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader seen = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.US_ASCII));
        expect(seen, "browsing");
        Map<String, Long> peerSaw = new ConcurrentHashMap<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (String line = seen.readLine(); line != null; line = seen.readLine()) {
                    String[] parts = line.split(" ", 2);
                    peerSaw.putIfAbsent(parts[1], Long.parseLong(parts[0]));
                }
            } catch (Exception e) {
                // the peer ended
            }
        });

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        // warm-up: the registry's JIT and pools, on other USNs and LOCATIONs (nothing of it is counted or cached for later)
        for (int i = 0; i < Math.min(devices, WARM_UP); i++) {
            commands.println("w " + i);
            sent.readLine();
            Thread.sleep((long) (1000 / rate));
        }
        Thread.sleep(2000);
        for (int i = 0; i < 200; i++) { // and this client's own (its first requests load and compile the HTTP client)
            http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/registry/services/" + URLEncoder.encode("uuid:warm-"
                    + run + "-" + (i % Math.min(devices, WARM_UP)) + "::" + urn, StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding());
        }
        Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> netwarden = new CopyOnWriteArrayList<>();
        List<Thread> pollers = new ArrayList<>();
        long gap = (long) (1_000_000_000L / rate);
        long next = System.nanoTime();
        for (int i = 0; i < devices; i++) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            next += gap;
            commands.println(i);
            String[] reply = sent.readLine().split(" ");
            long at = Long.parseLong(reply[2]);
            sentAt.put(i, at);
            String usn = "uuid:bench-" + run + "-" + i + "::" + urn;
            HttpRequest get = HttpRequest.newBuilder(URI.create(api + "/api/v1/registry/services/"
                    + URLEncoder.encode(usn, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(5)).build();
            pollers.add(Thread.ofVirtual().start(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(POLL); // the polls are load too: every POLL, so at most POLL is added to what is measured
                        if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                            netwarden.add(micros() - at);
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // try again
                    }
                }
            }));
        }
        for (Thread poller : pollers) {
            poller.join();
        }
        Thread.sleep(500);
        List<Long> gssdp = new ArrayList<>();
        sentAt.forEach((i, at) -> {
            Long saw = peerSaw.get("uuid:bench-" + run + "-" + i + "::" + urn);
            if (saw != null) {
                gssdp.add(saw - at);
            }
        });
        commands.close();
        sender.waitFor();
        peer.destroy();

        System.out.printf("devices %d, one every %.1f ms%n", devices, 1000 / rate);
        report("Netwarden (NOTIFY → description fetched → stored → GET 200)", netwarden, devices);
        report("GSSDP browser (NOTIFY → resource-available)", gssdp, devices);
        if (!netwarden.isEmpty() && !gssdp.isEmpty()) {
            System.out.printf("ratio of medians Netwarden/GSSDP: %.1f× (goal: Netwarden p99 < 100 ms)%n",
                    (double) percentile(netwarden, 50) / Math.max(1, percentile(gssdp, 50)));
        }
    }

    private static long micros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private static void expect(BufferedReader in, String word) throws Exception {
        String line = in.readLine();
        if (!word.equals(line)) {
            throw new IllegalStateException("expected '" + word + "', got " + line);
        }
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void report(String what, List<Long> micros, int devices) {
        if (micros.isEmpty()) {
            System.out.printf("%-62s none of %d seen%n", what, devices);
            return;
        }
        System.out.printf("%-62s %4d/%d seen  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", what, micros.size(), devices,
                percentile(micros, 50) / 1000.0, percentile(micros, 99) / 1000.0, Collections.max(micros) / 1000.0);
    }
}
