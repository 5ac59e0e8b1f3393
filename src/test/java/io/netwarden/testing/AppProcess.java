package io.netwarden.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) started as a user would: {@code java -jar} in a
 * fresh working directory, configured only through environment variables, on a free loopback port.
 */
public final class AppProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final Path log;
    private final int port;
    private final Process process;
    private final String host;

    private AppProcess(Path workDir, int port, Process process) {
        this(workDir, "127.0.0.1", port, process);
    }

    private AppProcess(Path workDir, String host, int port, Process process) {
        this.host = host;
        this.workDir = workDir;
        this.log = workDir.resolve("netwarden.log");
        this.port = port;
        this.process = process;
    }

    /** Starts the jar with {@code env} on top of a clean environment (no NETWARDEN_*, QUARKUS_*, KAFKA_* inherited). */
    public static AppProcess start(Path workDir, Map<String, String> env) throws IOException {
        return start(workDir, env, true);
    }

    /**
     * As {@link #start(Path, Map)}; {@code loopbackHost=false} leaves {@code QUARKUS_HTTP_HOST} unset, so the app binds
     * where its own default says.
     */
    public static AppProcess start(Path workDir, Map<String, String> env, boolean loopbackHost) throws IOException {
        return start(workDir, env, loopbackHost, 0);
    }

    /** As {@link #start(Path, Map)}, with at most {@code maxOpenFiles} file descriptors (prlimit), e.g. for a flood. */
    public static AppProcess startWithFileLimit(Path workDir, Map<String, String> env, int maxOpenFiles) throws IOException {
        return start(workDir, env, true, maxOpenFiles);
    }

    /**
     * Starts the jar inside network namespace {@code netns} (as on a machine of its own), its HTTP API on {@code address}
     * there (an address the test's own namespace reaches). {@code nsenter --net}, not {@code ip netns exec}: the latter
     * also gives the process a mount namespace of its own, so namespaces the app names ({@code ip netns add}) would not
     * be seen outside it, as they are on a real host.
     */
    public static AppProcess startInNetns(String netns, String address, Path workDir, Map<String, String> env)
            throws IOException {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("QUARKUS_HTTP_HOST", address);
        return start(workDir, all, false, 0, java.util.List.of("nsenter", "--net=/run/netns/" + netns, "--"),
                address);
    }

    private static AppProcess start(Path workDir, Map<String, String> env, boolean loopbackHost, int maxOpenFiles)
            throws IOException {
        return start(workDir, env, loopbackHost, maxOpenFiles, java.util.List.of(), "127.0.0.1");
    }

    private static AppProcess start(Path workDir, Map<String, String> env, boolean loopbackHost, int maxOpenFiles,
            java.util.List<String> prefix, String host) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing; run mvn package first");
        }
        // a process started again in the same directory: the last one's log is kept beside (netwarden.log.1, .2 …), as a
        // failing test's evidence is often in the run before the restart
        Path previous = workDir.resolve("netwarden.log");
        if (Files.exists(previous)) {
            int n = 1;
            while (Files.exists(workDir.resolve("netwarden.log." + n))) {
                n++;
            }
            Files.move(previous, workDir.resolve("netwarden.log." + n));
        }
        int port = TestEnv.freePort();
        java.util.List<String> command = new java.util.ArrayList<>(prefix);
        if (maxOpenFiles > 0) {
            command.addAll(java.util.List.of("prlimit", "--nofile=" + maxOpenFiles + ":" + maxOpenFiles, "--"));
        }
        command.addAll(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("netwarden.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("NETWARDEN_") || k.startsWith("QUARKUS_") || k.startsWith("KAFKA_"));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        if (loopbackHost) {
            builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        }
        builder.environment().putAll(env);
        return new AppProcess(workDir, host, port, builder.start());
    }

    public int port() {
        return port;
    }

    public String base() {
        return "http://" + host + ":" + port;
    }

    public Path workDir() {
        return workDir;
    }

    /** Polls /q/health/ready until it answers 200; returns how long that took. */
    public Duration awaitReady(Duration within) throws Exception {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (get("/q/health/ready", null).statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within " + within + ":\n" + output());
    }

    /** Waits for the process to exit on its own; returns the exit code. */
    public int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + within);
        }
        return process.exitValue();
    }

    public HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String token, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: the process dies without any chance to clean up, like a crashed machine. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    public HttpResponse<String> put(String path, String token, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> delete(String path, String token) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /api/v1/jobs/{id}}, which must answer 200. */
    public JsonNode job(String id, String token) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/jobs/" + id, token);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET job " + id + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Polls the job until it is neither queued nor running; fails with this process's output if that takes too long. */
    public JsonNode awaitJobFinished(String id, String token, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = job(id, token);
            String status = job.get("status").asText();
            if (!status.equals("queued") && !status.equals("running")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not finish: " + job(id, token) + "\n" + output());
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "<no output: " + e.getMessage() + ">";
        }
    }

    /** SIGTERM, as an operator or Kubernetes would stop it; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not stop within 20 s after SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
