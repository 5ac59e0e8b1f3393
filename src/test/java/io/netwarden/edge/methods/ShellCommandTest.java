package io.netwarden.edge.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.testing.Deadline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** shellCommand with real processes. */
class ShellCommandTest {

    private final ShellCommand shell = new ShellCommand(List.of("echo", "false", "bash", "head", "env"), 1024 * 1024);

    @TempDir
    Path dir;

    private static EdgeMessage message(String... argv) {
        return new EdgeMessage("m-" + System.nanoTime(), "central", "ship1", EdgeMessage.Kind.command, "shellCommand",
                List.of(argv), Duration.ofSeconds(30), Instant.now().plusSeconds(60), Optional.empty(), Optional.empty());
    }

    @Test
    void argumentsArePassedAsTheyAreWithoutAShell() throws Exception {
        MethodResult result = shell.run(message("echo", "hello", "$HOME; rm -rf / `id` *"), Duration.ofSeconds(10));
        assertTrue(result.succeeded(), result.errorText());
        assertEquals("hello $HOME; rm -rf / `id` *\n", result.output());
        assertEquals(0, result.exitCode());
        assertFalse(result.truncated());
    }

    @Test
    void theExitCodeIsReportedAndAFailingCommandStillRan() throws Exception {
        MethodResult result = shell.run(message("false"), Duration.ofSeconds(10));
        assertTrue(result.succeeded());
        assertEquals(1, result.exitCode());
    }

    @Test
    void onlyTheListedExecutablesRunAsWritten() throws Exception {
        for (String[] argv : new String[][] {{"rm", "-rf", dir.toString()}, {"./echo", "x"}, {"/bin/echo", "x"}, {"echo ", "x"}}) {
            MethodResult result = shell.run(message(argv), Duration.ofSeconds(10));
            assertEquals(Optional.of(EdgeError.NOT_ALLOWED), result.error(), String.join(" ", argv));
        }
        assertTrue(Files.exists(dir));
        MethodResult none = new ShellCommand(List.of(), 1024).run(message("echo", "x"), Duration.ofSeconds(10));
        assertEquals(Optional.of(EdgeError.NOT_ALLOWED), none.error());
        assertTrue(none.errorText().contains("netwarden.edge.shell.allow is empty"), none.errorText());
        assertEquals(Optional.of(EdgeError.INVALID_MESSAGE), shell.run(message(), Duration.ofSeconds(10)).error());
    }

    @Test
    void aCommandOverItsTimeoutIsKilledWithWhatItStarted() throws Exception {
        // Given: a command that starts a child and then waits
        Path pidFile = dir.resolve("child.pid");
        long start = System.nanoTime();

        // When
        MethodResult result = shell.run(message("bash", "-c", "sleep 60 & echo $! > " + pidFile + "; echo started; wait"),
                Duration.ofSeconds(1));

        // Then
        assertEquals(Optional.of(EdgeError.TIMEOUT), result.error());
        assertEquals("started\n", result.output());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "the timeout ended it");
        long child = Long.parseLong(Files.readString(pidFile).strip());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child was killed too");
    }

    @Test
    void aCommandStillRunningWhenTheNodeStopsIsKilledWithWhatItStartedAndAnswersInterrupted() throws Exception {
        Path pidFile = dir.resolve("stopped-child.pid");
        CompletableFuture<MethodResult> running = CompletableFuture.supplyAsync(() -> {
            try {
                return shell.run(message("bash", "-c", "sleep 60 & echo $! > " + pidFile + "; echo started; wait"),
                        Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long child = Long.parseLong(Deadline.await("the child started", Duration.ofSeconds(10),
                () -> Files.exists(pidFile) ? Files.readString(pidFile) : "", pid -> pid.endsWith("\n")).strip());

        shell.stopRunning();

        MethodResult result = running.get(10, TimeUnit.SECONDS);
        assertEquals(Optional.of(EdgeError.INTERRUPTED), result.error());
        assertEquals("started\n", result.output());
        Deadline.await("the child killed too", Duration.ofSeconds(5),
                () -> ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
    }

    @Test
    void outputBeyondTheCapIsDroppedAndFlagged() throws Exception {
        MethodResult result = shell.run(message("head", "-c", "3000000", "/dev/zero"), Duration.ofSeconds(20));
        assertTrue(result.succeeded(), result.errorText());
        assertTrue(result.truncated());
        assertEquals(1024 * 1024, result.output().length());
    }

    @Test
    void theChildGetsNoNetwardenSecretsInItsEnvironment() throws Exception {
        assertTrue(System.getenv().keySet().stream().anyMatch(k -> k.startsWith("NETWARDEN_")),
                "the test command exports NETWARDEN_TEST_* (scripts/test-env.sh env)");
        MethodResult result = shell.run(message("env"), Duration.ofSeconds(10));
        assertTrue(result.output().contains("PATH="), result.output());
        assertFalse(result.output().lines().anyMatch(l -> l.startsWith("NETWARDEN_") || l.startsWith("QUARKUS_")
                || l.startsWith("KAFKA_")), result.output());
    }

    @Test
    void aMissingExecutableIsAFailureNotACrash() throws Exception {
        MethodResult result = new ShellCommand(List.of("no-such-binary-nw"), 1024).run(message("no-such-binary-nw"),
                Duration.ofSeconds(10));
        assertEquals(Optional.of(EdgeError.FAILED), result.error());
        assertTrue(result.errorText().contains("could not be started"), result.errorText());
    }
}
