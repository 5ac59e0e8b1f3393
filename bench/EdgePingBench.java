import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Edge pings: Netwarden (POST /api/v1/edge/messages to its own node; done when the message is acked in the message log)
 * against raw jnats on the same NATS server (JetStream publish to a file stream, durable pull consumer, ack).
 * Throughput: n messages from c concurrent senders, from the first send until the last is acked; once with one message
 * per POST, once with 50 (the API takes an array). Latency: a fixed rate
 * for s seconds, per message from stored to acked (Netwarden: createdAt → ackedAt in the message log; raw: publish → ack).
 * Usage: java -cp … bench/EdgePingBench.java apiBase token node natsUrl messages concurrency rate seconds
 */
public class EdgePingBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Messages per POST in the second throughput run (the API takes an array). */
    private static final int PER_POST = 50;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] a) throws Exception {
        String api = a[0], token = a[1], node = a[2], natsUrl = a[3];
        int messages = Integer.parseInt(a[4]), concurrency = Integer.parseInt(a[5]);
        int rate = Integer.parseInt(a[6]), seconds = Integer.parseInt(a[7]);
        String body = "{\"toNode\":\"" + node + "\",\"data\":[],\"commandOrEvent\":\"command\",\"method\":\"ping\"}";

        System.out.printf("edge ping: %d messages, %d concurrent senders; latency at %d/s for %d s%n", messages, concurrency,
                rate, seconds);
        String batch = "[" + String.join(",", java.util.Collections.nCopies(PER_POST, body)) + "]";
        // warm-up: both shapes, long enough for the JIT to have compiled the paths measured
        netwardenThroughput(api, token, body, 1, Math.min(1000, messages), concurrency);
        netwardenThroughput(api, token, batch, PER_POST, Math.min(1000, messages), concurrency);
        double ours = netwardenThroughput(api, token, body, 1, messages, concurrency);
        double oursBatched = netwardenThroughput(api, token, batch, PER_POST, messages, concurrency);
        try (Connection nats = Nats.connect(natsUrl)) {
            Raw raw = new Raw(nats);
            raw.throughput(Math.min(200, messages), concurrency); // warm-up
            double theirs = raw.throughput(messages, concurrency);
            System.out.printf("throughput  netwarden %8.1f acked/s   raw jnats %8.1f acked/s   ratio %.2f   (one message per POST)%n",
                    ours, theirs, ours / theirs);
            System.out.printf("throughput  netwarden %8.1f acked/s   raw jnats %8.1f acked/s   ratio %.2f   (%d messages per POST)%n",
                    oursBatched, theirs, oursBatched / theirs, PER_POST);
            List<Long> ourLatency = netwardenLatency(api, token, body, rate, seconds);
            List<Long> rawLatency = raw.latency(rate, seconds);
            System.out.printf("latency at %d/s  netwarden p50 %6.1f ms p99 %6.1f ms   raw jnats p50 %6.1f ms p99 %6.1f ms%n",
                    rate, pct(ourLatency, 50), pct(ourLatency, 99), pct(rawLatency, 50), pct(rawLatency, 99));
            raw.close();
        }
    }

    private static String post(String api, String token, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/edge/messages"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).get(0).get("id").asText();
    }

    private static JsonNode get(String api, String token, String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/edge/messages/" + id))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Acked pings in the process' metrics. */
    private static double acked(String api) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("netwarden_edge_messages_total{") && line.contains("method=\"ping\"")
                    && line.contains("outcome=\"acked\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** n pings, {@code perPost} in each POST ({@code body} holds that many), c POSTs at a time; acked per second. */
    private static double netwardenThroughput(String api, String token, String body, int perPost, int n, int concurrency)
            throws Exception {
        double before = acked(api);
        long start = System.nanoTime();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore slots = new Semaphore(concurrency);
            for (int i = 0; i < n / perPost; i++) {
                slots.acquire();
                senders.submit(() -> {
                    try {
                        post(api, token, body);
                    } finally {
                        slots.release();
                    }
                    return null;
                });
            }
        }
        long posted = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (acked(api) - before < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not all pings acked within 5 minutes: " + (acked(api) - before) + " of " + n);
            }
            Thread.sleep(100); // a scrape costs the process some CPU: not too often
        }
        long end = System.nanoTime();
        System.out.printf("  netwarden: %d stored (%d per POST) in %.2f s, all acked %.2f s after the first POST%n", n,
                perPost, (posted - start) / 1e9, (end - start) / 1e9);
        return n / ((end - start) / 1e9);
    }

    private static List<Long> netwardenLatency(String api, String token, String body, int rate, int seconds) throws Exception {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            for (int i = 0; i < rate * seconds; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                senders.submit(() -> ids.add(post(api, token, body)));
            }
        }
        List<Long> micros = new ArrayList<>();
        for (String id : ids) {
            JsonNode m = get(api, token, id);
            for (int tries = 0; !m.path("status").asText().equals("acked") && tries < 500; tries++) {
                Thread.sleep(10);
                m = get(api, token, id);
            }
            micros.add(Duration.between(Instant.parse(m.get("createdAt").asText()), Instant.parse(m.get("ackedAt").asText()))
                    .toNanos() / 1000);
        }
        return micros;
    }

    private static double pct(List<Long> micros, int p) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1000.0;
    }

    /** Raw jnats: a file stream, a durable pull consumer that acks each message. */
    static final class Raw implements AutoCloseable {
        private final String stream = "BENCHRAW" + System.nanoTime();
        private final JetStreamManagement management;
        private final JetStream js;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        private volatile CountDownLatch done;
        private final MessageConsumer consumer;

        Raw(Connection nats) throws Exception {
            management = nats.jetStreamManagement();
            management.addStream(StreamConfiguration.builder().name(stream).subjects(stream.toLowerCase() + ".ping")
                    .storageType(StorageType.File).build());
            js = nats.jetStream();
            consumer = js.getStreamContext(stream).createOrUpdateConsumer(ConsumerConfiguration.builder().durable("raw")
                    .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(30)).maxAckPending(1000).build())
                    .consume(message -> {
                        message.ack();
                        Long sent = sentAt.remove(new String(message.getData()));
                        if (sent != null) {
                            latencies.add((System.nanoTime() - sent) / 1000);
                        }
                        CountDownLatch latch = done;
                        if (latch != null) {
                            latch.countDown();
                        }
                    });
        }

        double throughput(int n, int concurrency) throws Exception {
            done = new CountDownLatch(n);
            long start = System.nanoTime();
            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                Semaphore slots = new Semaphore(concurrency);
                for (int i = 0; i < n; i++) {
                    slots.acquire();
                    String id = "t" + i + "-" + start;
                    senders.submit(() -> {
                        try {
                            js.publish(stream.toLowerCase() + ".ping", id.getBytes());
                        } finally {
                            slots.release();
                        }
                        return null;
                    });
                }
            }
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("raw: not all consumed");
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }

        List<Long> latency(int rate, int seconds) throws Exception {
            latencies.clear();
            done = new CountDownLatch(rate * seconds);
            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                long start = System.nanoTime();
                for (int i = 0; i < rate * seconds; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String id = "l" + i + "-" + start;
                    senders.submit(() -> {
                        sentAt.put(id, System.nanoTime());
                        js.publish(stream.toLowerCase() + ".ping", id.getBytes());
                        return null;
                    });
                }
            }
            done.await(1, TimeUnit.MINUTES);
            return new ArrayList<>(latencies);
        }

        @Override
        public void close() throws Exception {
            consumer.stop();
            management.deleteStream(stream);
        }
    }
}
