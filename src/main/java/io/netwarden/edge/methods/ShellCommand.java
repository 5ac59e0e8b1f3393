package io.netwarden.edge.methods;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * {@code shellCommand}: runs the message's data as an argument vector — without a shell, so nothing in it is
 * interpreted — if its first element is on the allow-list ({@code netwarden.edge.shell.allow}; empty: nothing runs).
 *
 * <pre>
 *   data ["uptime","-p"] ─ argv[0] listed exactly? ─ no ─▶ NOT_ALLOWED
 *                        └ yes ─▶ process (stdin empty; stdout+stderr together; environment without
 *                                 NETWARDEN_*, QUARKUS_*, KAFKA_* — no API token or NATS password for the child)
 *                                   ├─ output read as it comes, kept up to max-output, the rest read and dropped
 *                                   │  (truncated = true), so a chatty child never blocks on a full pipe
 *                                   ├─ not ended within the timeout ─▶ it and its descendants killed ─▶ TIMEOUT
 *                                   └─ the node stops (or the run is interrupted) ─▶ killed the same way ─▶ INTERRUPTED
 * </pre>
 *
 * The allow-list is compared with argv[0] as given: {@code uptime} allows {@code uptime} (found on PATH), not
 * {@code ./uptime} nor {@code /tmp/uptime}; list full paths to pin the binary. Allowing a shell or an interpreter
 * allows everything it can do. A descendant that detached itself into its own session outlives the kill, and so does
 * everything when the node is killed outright (kill -9). Thread safety: the running processes are in a concurrent
 * map; each call has its own process and reader.
 */
public final class ShellCommand implements EdgeMethod {

    private static final Logger LOG = Logger.getLogger(ShellCommand.class);
    private static final Set<String> CHILD_ENV_DROPPED_PREFIXES = Set.of("NETWARDEN_", "QUARKUS_", "KAFKA_");

    private final Set<String> allowed;
    private final int maxOutput;
    /** The processes running now, each with whether the node's stop ended it. */
    private final Map<Process, java.util.concurrent.atomic.AtomicBoolean> running = new java.util.concurrent.ConcurrentHashMap<>();
    /** How many times stopRunning was called: a run whose process started while one ran kills it itself. */
    private final java.util.concurrent.atomic.AtomicLong stops = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param allowed executables that may run, compared with argv[0] exactly
     * @param maxOutput bytes of output kept; the rest is dropped and the result marked truncated
     */
    public ShellCommand(List<String> allowed, int maxOutput) {
        this.allowed = Set.copyOf(allowed.stream().map(String::strip).filter(a -> !a.isEmpty()).toList());
        this.maxOutput = maxOutput;
    }

    @Override
    public String name() {
        return "shellCommand";
    }

    @Override
    public MethodResult run(EdgeMessage message, Duration timeout) throws InterruptedException {
        List<String> argv = message.data();
        if (argv.isEmpty() || argv.getFirst().isBlank()) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "shellCommand needs data: [executable, arguments…]");
        }
        if (argv.stream().anyMatch(a -> a.indexOf('\0') >= 0)) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "an argument holds a NUL character");
        }
        String executable = argv.getFirst();
        if (!allowed.contains(executable)) {
            return MethodResult.failed(EdgeError.NOT_ALLOWED, allowed.isEmpty()
                    ? "no executable is allowed on this node (netwarden.edge.shell.allow is empty)"
                    : "'" + shortened(executable) + "' is not in netwarden.edge.shell.allow");
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> CHILD_ENV_DROPPED_PREFIXES.stream().anyMatch(name::startsWith));
        Process process;
        long stopsBefore = stops.get();
        try {
            process = builder.start();
        } catch (IOException e) {
            return MethodResult.failed(EdgeError.FAILED, "'" + shortened(executable) + "' could not be started ("
                    + e.getClass().getSimpleName() + ")");
        }
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        running.put(process, stopped);
        if (stops.get() != stopsBefore) { // the node began to stop between the start and the line above
            stopped.set(true);
            kill(process);
        }
        CompletableFuture<Output> output = new CompletableFuture<>();
        Thread.ofVirtual().name("shell-output-" + process.pid()).start(() -> output.complete(read(process.getInputStream())));
        boolean ended;
        try {
            ended = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            kill(process); // never left running behind a run that gave up on it
            throw e;
        } finally {
            running.remove(process);
        }
        if (!ended) {
            kill(process);
        }
        Output got = collect(output, process);
        if (stopped.get()) {
            LOG.infof("shellCommand %s (message %s) ended: the node stops", shortened(executable), message.id());
            return MethodResult.failed(EdgeError.INTERRUPTED, "the node stopped while this ran; it was ended and is not run"
                    + " again", got.text(), got.truncated());
        }
        if (!ended) {
            LOG.infof("shellCommand %s (message %s) stopped after %s", shortened(executable), message.id(), timeout);
            return MethodResult.failed(EdgeError.TIMEOUT, "stopped after " + timeout.toSeconds() + " s", got.text(),
                    got.truncated());
        }
        return MethodResult.ok(got.text(), process.exitValue(), got.truncated());
    }

    /** Kills every process still running, with its descendants; their runs answer INTERRUPTED. */
    @Override
    public void stopRunning() {
        stops.incrementAndGet();
        running.forEach((process, stopped) -> {
            stopped.set(true);
            LOG.warnf("the node stops: shellCommand process %d and its descendants are killed", process.pid());
            kill(process);
        });
    }

    private record Output(String text, boolean truncated) {
    }

    /** Reads everything; keeps the first {@link #maxOutput} bytes. */
    private Output read(InputStream in) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean truncated = false;
        try (in) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                int room = maxOutput - kept.size();
                if (n > room) {
                    truncated = true;
                }
                kept.write(buffer, 0, Math.max(0, Math.min(n, room)));
            }
        } catch (IOException e) {
            // the stream was closed after a kill: what was read is the output
        }
        return new Output(kept.toString(StandardCharsets.UTF_8), truncated);
    }

    /** The output, once the reader has seen the end; a descendant still holding the pipe open is not waited for long. */
    private static Output collect(CompletableFuture<Output> output, Process process) throws InterruptedException {
        try {
            return output.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            try {
                process.getInputStream().close(); // a detached descendant keeps the pipe: stop reading it
            } catch (IOException ignored) {
                // already closed
            }
            try {
                return output.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException again) {
                return new Output("", true);
            }
        } catch (ExecutionException e) {
            return new Output("", false);
        }
    }

    /** Kills the process and everything it started (collected before the parent dies and they are re-parented). */
    private static void kill(Process process) {
        List<ProcessHandle> descendants = new java.util.ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        // then what it started, and what those started meanwhile (still found from them after the parent is gone)
        for (int round = 0; round < 3 && !descendants.isEmpty(); round++) {
            List<ProcessHandle> later = new java.util.ArrayList<>();
            for (ProcessHandle child : descendants) {
                later.addAll(child.descendants().toList());
                child.destroyForcibly();
            }
            descendants = later;
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String shortened(String value) {
        String clean = value.codePoints().filter(c -> c >= 0x20 && c != 0x7f)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
