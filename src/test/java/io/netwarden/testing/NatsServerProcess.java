package io.netwarden.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** A private nats-server with JetStream on a loopback port, for tests that must stop and restart the server. */
public final class NatsServerProcess implements AutoCloseable {

    private final int port;
    private final Path storeDir;
    private final String config;
    private Process process;

    public NatsServerProcess(int port) throws IOException {
        this(port, null);
    }

    /**
     * A server configured by {@code config} (nats-server's configuration syntax: {@code tls {…}}, {@code authorization
     * {…}}), on top of the loopback listen address and a JetStream store of its own.
     */
    public NatsServerProcess(int port, String config) throws IOException {
        this.port = port;
        this.storeDir = Files.createTempDirectory("nats-js");
        this.config = config;
    }

    /** What the server logged, for a failed test's message. */
    public String log() {
        try {
            return Files.readString(storeDir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public NatsServerProcess start() throws Exception {
        java.util.List<String> command;
        if (config == null) {
            command = java.util.List.of(TestEnv.natsServerBinary(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                    "-sd", storeDir.toString());
        } else {
            Path file = storeDir.resolve("server.conf");
            Files.writeString(file, "listen: \"127.0.0.1:" + port + "\"\njetstream { store_dir: \"" + storeDir.resolve("js")
                    + "\" }\n" + config + "\n");
            command = java.util.List.of(TestEnv.natsServerBinary(), "-c", file.toString());
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(storeDir.resolve("server.log").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return this;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nats-server did not open port " + port + ":\n" + log());
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
