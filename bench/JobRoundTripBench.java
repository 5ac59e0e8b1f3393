import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.netwarden.dnc.snmp.Oid;
import io.netwarden.dnc.snmp.Snmp4jClient;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.platform.auth.Secret;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Job round trip: POST /api/v1/jobs?wait (API → dispatcher → database → NATS → agent → SNMP GET → NATS → dispatcher →
 * database → answer) against a raw jnats request-reply whose responder does the same SNMP GET. Same NATS server, same
 * snmpd, same run. Prints closed-loop throughput of both and the ratio, then p50/p99 latency of both at a fixed rate.
 * Usage: java -cp … bench/JobRoundTripBench.java apiBase token element natsUrl snmpHost:port community concurrency seconds rate [min warm-up seconds]
 */
public class JobRoundTripBench {

    interface Call {
        void run() throws Exception;
    }

    public static void main(String[] a) throws Exception {
        String api = a[0], token = a[1], element = a[2], natsUrl = a[3], snmp = a[4], community = a[5];
        int concurrency = Integer.parseInt(a[6]);
        int seconds = Integer.parseInt(a[7]);
        int rate = Integer.parseInt(a[8]);
        int warmup = a.length > 9 ? Integer.parseInt(a[9]) : 150;

        // Vert.x's HTTP client (Netty, keep-alive pool): the JDK HttpClient spent most of a core of the two this runs
        // on at these rates, which measured the load generator rather than Netwarden; jnats, the peer's client, is lean
        URI base = URI.create(api);
        Vertx vertx = Vertx.vertx();
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(concurrency)
                .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()));
        Buffer body = Buffer.buffer("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"]}");
        Call netwarden = () -> {
            String answer = http.request(HttpMethod.POST, "/api/v1/jobs?wait=10s")
                    .compose(request -> request.putHeader("Authorization", "Bearer " + token)
                            .putHeader("Content-Type", "application/json").send(body))
                    .compose(response -> response.body().map(b -> response.statusCode() + " " + b))
                    .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            if (!answer.startsWith("200 ") || !answer.contains("\"succeeded\"")) {
                throw new IllegalStateException("job did not succeed: " + answer);
            }
        };

        String host = snmp.substring(0, snmp.lastIndexOf(':'));
        int port = Integer.parseInt(snmp.substring(snmp.lastIndexOf(':') + 1));
        SnmpTarget target = new SnmpTarget(host, port, SnmpVersion.V2C, Secret.of(community), null, null, null, null, null,
                Duration.ofSeconds(2), 1, 25);
        try (Snmp4jClient snmpClient = new Snmp4jClient(); Connection nc = Nats.connect(natsUrl)) {
            String subject = "bench.rawjob." + System.nanoTime();
            Dispatcher responder = nc.createDispatcher(msg -> {
                try {
                    String value = snmpClient.get(target, List.of(Oid.of("1.3.6.1.2.1.1.5.0"))).getFirst().value();
                    nc.publish(msg.getReplyTo(), value.getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    nc.publish(msg.getReplyTo(), new byte[0]);
                }
            });
            // a worker pool behind the responder, as an agent has, so the raw side is not limited to one thread
            responder.subscribe(subject, "bench");
            for (int i = 1; i < concurrency; i++) {
                nc.createDispatcher(msg -> {
                    try {
                        String value = snmpClient.get(target, List.of(Oid.of("1.3.6.1.2.1.1.5.0"))).getFirst().value();
                        nc.publish(msg.getReplyTo(), value.getBytes(StandardCharsets.UTF_8));
                    } catch (Exception e) {
                        nc.publish(msg.getReplyTo(), new byte[0]);
                    }
                }).subscribe(subject, "bench");
            }
            nc.flush(Duration.ofSeconds(2));
            Call raw = () -> {
                var reply = nc.request(subject, "get".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
                if (reply == null || reply.getData().length == 0) {
                    throw new IllegalStateException("raw request failed");
                }
            };

            // warm-up: on two small cores the JIT needs minutes of round trips through REST, JDBC and NATS to settle
            warmUp("netwarden", netwarden, concurrency, warmup, 2 * warmup);
            warmUp("raw jnats", raw, concurrency, 30, 2 * warmup);
            // three rounds, taking turns, so a slow spell of the machine does not fall on one side only; medians compared
            List<Double> nwRates = new ArrayList<>();
            List<Double> rawRates = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                nwRates.add(closedLoop(netwarden, concurrency, seconds));
                rawRates.add(closedLoop(raw, concurrency, seconds));
                System.out.printf("  round %d: netwarden %6.0f jobs/s, raw jnats %6.0f req/s%n", round, nwRates.getLast(),
                        rawRates.getLast());
            }
            Collections.sort(nwRates);
            Collections.sort(rawRates);
            double nwRate = nwRates.get(1);
            double rawRate = rawRates.get(1);
            System.out.printf("job round trip, snmp.get of one OID, concurrency %d, median of 3 rounds of %d s%n", concurrency,
                    seconds);
            System.out.printf("  netwarden (REST+dispatcher+DB+NATS+agent): %8.0f jobs/s%n", nwRate);
            System.out.printf("  raw jnats request-reply + same SNMP GET:   %8.0f req/s%n", rawRate);
            System.out.printf("  ratio netwarden/raw: %.2fx (goal >= 0.3x)%n", nwRate / rawRate);

            long[] nw = fixedRate(netwarden, rate, seconds);
            long[] r = fixedRate(raw, rate, seconds);
            System.out.printf("latency at a fixed %d/s for %d s:%n", rate, seconds);
            System.out.printf("  netwarden: p50 %6.2f ms  p99 %6.2f ms%n", nw[0] / 1e6, nw[1] / 1e6);
            System.out.printf("  raw jnats: p50 %6.2f ms  p99 %6.2f ms%n", r[0] / 1e6, r[1] / 1e6);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs 10-second closed loops for at least {@code minSeconds} and then until two in a row agree within 5% (the JIT
     * has settled; it climbs in steps, so an early pair can agree by chance) or {@code maxSeconds} have passed.
     */
    static void warmUp(String name, Call call, int concurrency, int minSeconds, int maxSeconds) throws Exception {
        double previous = 0;
        for (int spent = 10; spent <= maxSeconds; spent += 10) {
            double rate = closedLoop(call, concurrency, 10);
            System.out.printf("  warm-up %-10s %3d s: %8.0f/s%n", name, spent, rate);
            if (spent >= minSeconds && previous > 0 && Math.abs(rate - previous) / previous < 0.05) {
                return;
            }
            previous = rate;
        }
    }

    /** Requests per second with {@code concurrency} callers each calling back to back. */
    static double closedLoop(Call call, int concurrency, int seconds) throws Exception {
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Callable<Void>> callers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                callers.add(() -> {
                    while (System.nanoTime() < end) {
                        call.run();
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
            for (var f : pool.invokeAll(callers)) {
                f.get();
            }
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** p50 and p99 latency in ns with requests started at a fixed rate (open loop). */
    static long[] fixedRate(Call call, int rate, int seconds) throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < rate * seconds; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                pool.submit(() -> {
                    long t0 = System.nanoTime();
                    call.run();
                    latencies.add(System.nanoTime() - t0);
                    return null;
                });
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new long[] {sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99))};
    }
}
