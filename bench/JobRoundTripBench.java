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
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Job round trip: POST /api/v1/jobs?wait (API → dispatcher → database → NATS → agent → SNMP GET → NATS → dispatcher →
 * database → answer) against a raw jnats request-reply whose responder does the same SNMP GET. Same NATS server, same
 * snmpd, same run. Prints closed-loop throughput of both for each number of callers and the ratio of their peaks, then
 * p50/p99 latency of both at a fixed rate.
 * Usage: java -cp … bench/JobRoundTripBench.java apiBase token element natsUrl snmpHost:port community callers[,callers…] seconds rate [min warm-up seconds]
 */
public class JobRoundTripBench {

    interface Call {
        void run() throws Exception;
    }

    public static void main(String[] a) throws Exception {
        String api = a[0], token = a[1], element = a[2], natsUrl = a[3], snmp = a[4], community = a[5];
        List<Integer> concurrencies = Arrays.stream(a[6].split(",")).map(Integer::parseInt).toList();
        int seconds = Integer.parseInt(a[7]);
        int rate = Integer.parseInt(a[8]);
        int warmup = a.length > 9 ? Integer.parseInt(a[9]) : 150;

        // Vert.x's HTTP client (Netty, keep-alive pool): the JDK HttpClient spent most of a core of the two this runs
        // on at these rates, which measured the load generator rather than Netwarden; jnats, the peer's client, is lean
        URI base = URI.create(api);
        Vertx vertx = Vertx.vertx();
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setMaxPoolSize(concurrencies.stream().max(Integer::compare).orElseThrow())
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
            // one responder thread per caller, as the agent gives each job a thread of its own: raw is never short of workers
            List<Dispatcher> responders = new ArrayList<>();
            IntConsumer respondWith = n -> {
                while (responders.size() < n) {
                    responders.add(nc.createDispatcher(msg -> {
                        try {
                            String value = snmpClient.get(target, List.of(Oid.of("1.3.6.1.2.1.1.5.0"))).getFirst().value();
                            nc.publish(msg.getReplyTo(), value.getBytes(StandardCharsets.UTF_8));
                        } catch (Exception e) {
                            nc.publish(msg.getReplyTo(), new byte[0]);
                        }
                    }).subscribe(subject, "bench"));
                }
                while (responders.size() > n) {
                    nc.closeDispatcher(responders.removeLast());
                }
                try {
                    nc.flush(Duration.ofSeconds(2));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Call raw = () -> {
                var reply = nc.request(subject, "get".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
                if (reply == null || reply.getData().length == 0) {
                    throw new IllegalStateException("raw request failed");
                }
            };

            // warm-up: on two small cores the JIT needs minutes of round trips through REST, JDBC and NATS to settle
            warmUp("netwarden", netwarden, concurrencies.getFirst(), warmup, 2 * warmup);
            respondWith.accept(concurrencies.getFirst());
            warmUp("raw jnats", raw, concurrencies.getFirst(), 30, 2 * warmup);
            // each side at each number of callers: three rounds, taking turns, so a slow spell of the machine does not
            // fall on one side only; medians compared. The peak of each side is its throughput: the raw side saturates
            // with few callers, Netwarden (whose writes are batched) needs more in flight to keep its pipeline full
            System.out.printf("job round trip, snmp.get of one OID, median of 3 rounds of %d s per number of callers%n", seconds);
            System.out.printf("  %7s  %28s  %28s  %6s%n", "callers", "netwarden jobs/s (rounds)", "raw jnats req/s (rounds)", "ratio");
            double nwPeak = 0;
            double rawPeak = 0;
            int nwPeakAt = 0;
            int rawPeakAt = 0;
            for (int concurrency : concurrencies) {
                List<Double> nwRates = new ArrayList<>();
                List<Double> rawRates = new ArrayList<>();
                respondWith.accept(concurrency);
                closedLoop(netwarden, concurrency, 5); // settle at this concurrency (connection pool, batch sizes)
                for (int round = 1; round <= 3; round++) {
                    nwRates.add(closedLoop(netwarden, concurrency, seconds));
                    rawRates.add(closedLoop(raw, concurrency, seconds));
                }
                double nwRate = median(nwRates);
                double rawRate = median(rawRates);
                System.out.printf("  %7d  %6.0f (%s)  %6.0f (%s)  %5.2fx%n", concurrency, nwRate, rounds(nwRates), rawRate,
                        rounds(rawRates), nwRate / rawRate);
                if (nwRate > nwPeak) {
                    nwPeak = nwRate;
                    nwPeakAt = concurrency;
                }
                if (rawRate > rawPeak) {
                    rawPeak = rawRate;
                    rawPeakAt = concurrency;
                }
            }
            System.out.printf("  peak: netwarden %.0f jobs/s (%d callers), raw jnats %.0f req/s (%d callers): ratio %.2fx (goal >= 0.3x)%n",
                    nwPeak, nwPeakAt, rawPeak, rawPeakAt, nwPeak / rawPeak);

            respondWith.accept(concurrencies.getFirst());
            long[] nw = fixedRate(netwarden, rate, seconds);
            long[] r = fixedRate(raw, rate, seconds);
            System.out.printf("latency at a fixed %d/s for %d s:%n", rate, seconds);
            System.out.printf("  netwarden: p50 %6.2f ms  p99 %6.2f ms%n", nw[0] / 1e6, nw[1] / 1e6);
            System.out.printf("  raw jnats: p50 %6.2f ms  p99 %6.2f ms%n", r[0] / 1e6, r[1] / 1e6);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    static double median(List<Double> rates) {
        List<Double> sorted = new ArrayList<>(rates);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static String rounds(List<Double> rates) {
        return String.join(" / ", rates.stream().map(r -> String.format("%.0f", r)).toList());
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
