package io.netwarden.dnc.telnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.auth.Secret;
import io.netwarden.testing.TestEnv;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Telnet against the real telnetd (inetd + login + bash) of scripts/test-env.sh. */
class TelnetTest {

    private static final String HOST = TestEnv.telnet().substring(0, TestEnv.telnet().lastIndexOf(':'));
    private static final int PORT = Integer.parseInt(TestEnv.telnet().substring(TestEnv.telnet().lastIndexOf(':') + 1));
    private static CachedTelnetRunner runner;

    @BeforeAll
    static void open() {
        runner = new CachedTelnetRunner(Duration.ofMinutes(1));
    }

    @AfterAll
    static void close() {
        runner.close();
    }

    static TelnetTarget target(String element, String password, TelnetProfile profile, Duration commandTimeout) {
        return new TelnetTarget(element, HOST, PORT, TestEnv.telnetUser(), Secret.of(password), profile, Duration.ofSeconds(5),
                commandTimeout);
    }

    static TelnetTarget target(String element) {
        return target(element, TestEnv.telnetPassword(), TelnetProfile.GENERIC, Duration.ofSeconds(10));
    }

    @Test
    void logsInRunsCommandsAndReturnsOutputWithoutEchoOrPrompt() throws Exception {
        // When
        List<CommandOutput> outputs = runner.run(target("t-basic"), List.of("echo hello-$((40+2))", "printf 'a\\nb\\n'", "true"));

        // Then
        assertEquals(List.of(new CommandOutput("echo hello-$((40+2))", "hello-42"), new CommandOutput("printf 'a\\nb\\n'", "a\nb"),
                new CommandOutput("true", "")), outputs);
    }

    @Test
    void theSessionIsReusedAcrossJobs() throws Exception {
        runner.run(target("t-reuse"), List.of("export NW_MARK=kept"));
        List<CommandOutput> again = runner.run(target("t-reuse"), List.of("echo $NW_MARK"));
        assertEquals("kept", again.getFirst().output(), "same shell, so the variable is still set");
    }

    @Test
    void pagedOutputIsCollectedWholeWithoutPagerPrompts() throws Exception {
        // a pager as network devices have it: "--More--" after 40 lines, any key goes on, the prompt is erased with CR
        String pager = "for i in $(seq 1 120); do echo $i; if [ $((i % 40)) -eq 0 ]; then printf -- ' --More-- '; "
                + "read -rsn1; printf '\\r          \\r'; fi; done";
        String output = runner.run(target("t-pager"), List.of(pager)).getFirst().output();
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertEquals(120, lines.size(), output);
        assertEquals("1", lines.getFirst());
        assertEquals("120", lines.getLast());
        assertFalse(output.toLowerCase().contains("more"), output);
    }

    @Test
    void aWrongPasswordIsLoginFailed() {
        var e = assertThrows(TelnetException.class,
                () -> runner.run(target("t-wrong", "not-the-password", TelnetProfile.GENERIC, Duration.ofSeconds(10)), List.of("id")));
        assertEquals("login_failed", e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("Login incorrect"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"));
    }

    @Test
    void outputMatchingAnErrorPatternFailsTheCommandAndStopsThere() {
        TelnetProfile shell = new TelnetProfile("shell", TelnetProfile.GENERIC.loginPrompt(), TelnetProfile.GENERIC.passwordPrompt(),
                TelnetProfile.GENERIC.prompt(), TelnetProfile.GENERIC.pager(), TelnetProfile.GENERIC.loginFailure(), Optional.empty(),
                List.of(Pattern.compile("(?m)^.*command not found.*$")));
        var e = assertThrows(CachedTelnetRunner.PartialTelnetException.class, () -> runner.run(
                target("t-error", TestEnv.telnetPassword(), shell, Duration.ofSeconds(10)),
                List.of("echo first", "nw_no_such_command", "echo never")));
        assertEquals("command_error", e.code());
        assertTrue(e.getMessage().contains("'nw_no_such_command' failed"), e.getMessage());
        assertEquals(List.of("echo first", "nw_no_such_command"), e.outputs().stream().map(CommandOutput::command).toList());
    }

    @Test
    void aCommandWithoutPromptTimesOutAndTheNextJobGetsAFreshSession() throws Exception {
        var e = assertThrows(TelnetException.class, () -> runner.run(
                target("t-slow", TestEnv.telnetPassword(), TelnetProfile.GENERIC, Duration.ofSeconds(1)), List.of("sleep 5")));
        assertEquals("timed_out", e.code());
        assertTrue(e.getMessage().contains("after 'sleep 5'"), e.getMessage());
        assertEquals("ok", runner.run(target("t-slow"), List.of("echo ok")).getFirst().output());
    }

    @Test
    void aClosedPortIsConnectFailed() {
        TelnetTarget nowhere = new TelnetTarget("t-closed", HOST, TestEnv.freePort(), "u", Secret.of("p"), TelnetProfile.GENERIC,
                Duration.ofSeconds(2), Duration.ofSeconds(2));
        var e = assertThrows(TelnetException.class, () -> runner.run(nowhere, List.of("id")));
        assertEquals("connect_failed", e.code());
    }

    @Test
    void aServerSendingGarbageEndsInAClearTimeout() throws Exception {
        // Given: a TCP server that sends telnet-command noise and binary junk, never a prompt
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    for (int i = 0; i < 20; i++) {
                        out.write(new byte[] {(byte) 255, (byte) 250, 24, 1, (byte) 255, (byte) 240, (byte) 255, (byte) 253, 99,
                                0, 1, 2, (byte) 0xC3, (byte) 0x28, 'x', '\r', '\b', 27, '[', '2', 'J'});
                        out.flush();
                        Thread.sleep(50);
                    }
                    Thread.sleep(5000);
                } catch (Exception ignored) {
                    // test server going away
                }
            });
            TelnetTarget junk = new TelnetTarget("t-junk", "127.0.0.1", server.getLocalPort(), "u", Secret.of("p"),
                    TelnetProfile.GENERIC, Duration.ofSeconds(1), Duration.ofSeconds(1));

            // When / Then
            var e = assertThrows(TelnetException.class, () -> runner.run(junk, List.of("id")));
            assertTrue(List.of("timed_out", "io_error").contains(e.code()), e.code() + ": " + e.getMessage());
        }
        assertEquals("still-fine", runner.run(target("t-after-junk"), List.of("echo still-fine")).getFirst().output());
    }

    @Test
    void aLastLoginLineArrivingInPiecesIsNotTakenForASecondLoginPrompt() throws Exception {
        // Given: a device that pauses right after "Last login:" (pam_lastlog's line, split by the network), then runs commands
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fakeDevice(server, (in, out) -> {
                write(out, "\r\nLast login: ");
                Thread.sleep(150);
                write(out, "Mon Nov 23 05:55:01 UTC 2026 from localhost on pts/3\r\nbox$ ");
                String command = readLine(in);
                write(out, command + "\r\nran " + command + "\r\nbox$ ");
            });
            TelnetTarget box = new TelnetTarget("t-lastlog", "127.0.0.1", server.getLocalPort(), "u", Secret.of("p"),
                    TelnetProfile.GENERIC, Duration.ofSeconds(2), Duration.ofSeconds(2));

            // When
            List<CommandOutput> outputs = runner.run(box, List.of("show version"));

            // Then
            assertEquals(List.of(new CommandOutput("show version", "ran show version")), outputs);
        }
    }

    @Test
    void aLoginPromptAskedAgainWithoutAnErrorIsLoginFailed() throws Exception {
        // Given: a device that silently asks for the login again after the password (no "Login incorrect")
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fakeDevice(server, (in, out) -> write(out, "\r\nbox login: "));
            TelnetTarget box = new TelnetTarget("t-again", "127.0.0.1", server.getLocalPort(), "u", Secret.of("secret-p"),
                    TelnetProfile.GENERIC, Duration.ofSeconds(2), Duration.ofSeconds(2));

            // When / Then
            var e = assertThrows(TelnetException.class, () -> runner.run(box, List.of("id")));
            assertEquals("login_failed", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("asked for the login again"), e.getMessage());
            assertFalse(e.getMessage().contains("secret-p"));
        }
    }

    @Test
    void aPasswordTheDeviceEchoesNeverAppearsInAnError() throws Exception {
        // Given: devices that echo the password back, then refuse it or go silent
        String password = "echoed-secret-" + System.nanoTime();
        for (String after : new String[] {"\r\nLogin incorrect: " + password + "\r\n", "\r\nwelcome " + password + " ..."}) {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread.ofVirtual().start(() -> {
                    try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                        InputStream in = s.getInputStream();
                        write(out, "login: ");
                        readLine(in);
                        write(out, "Password: ");
                        write(out, readLine(in) + after);
                        Thread.sleep(5000);
                    } catch (Exception ignored) {
                        // test server going away
                    }
                });
                TelnetTarget box = new TelnetTarget("t-echo", "127.0.0.1", server.getLocalPort(), "u", Secret.of(password),
                        TelnetProfile.GENERIC, Duration.ofSeconds(1), Duration.ofSeconds(1));

                // When
                var e = assertThrows(TelnetException.class, () -> runner.run(box, List.of("id")));

                // Then
                assertTrue(List.of("login_failed", "timed_out").contains(e.code()), e.code() + ": " + e.getMessage());
                assertFalse(e.getMessage().contains(password), e.getMessage());
                if (e.code().equals("timed_out")) {
                    assertTrue(e.getMessage().contains("<secret>"), "the echo in the excerpt is masked: " + e.getMessage());
                }
            }
        }
    }

    @Test
    void aDeviceFloodingTheLoginIsCutOff() throws Exception {
        // Given: a device that sends 1 MiB without ever showing a prompt
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    String junk = "banner line without a prompt ".repeat(100) + "\r\n";
                    for (int sent = 0; sent < 1 << 20; sent += junk.length()) {
                        write(out, junk);
                    }
                    Thread.sleep(5000);
                } catch (Exception ignored) {
                    // the client hung up, as it should
                }
            });
            TelnetTarget box = new TelnetTarget("t-flood", "127.0.0.1", server.getLocalPort(), "u", Secret.of("p"),
                    TelnetProfile.GENERIC, Duration.ofSeconds(10), Duration.ofSeconds(10));

            // When / Then
            var e = assertThrows(TelnetException.class, () -> runner.run(box, List.of("id")));
            assertEquals("bad_response", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("while logging in"), e.getMessage());
        }
    }

    @Test
    void megabytesOfOutputAreTakenWholeAndTheCapHolds() throws Exception {
        // Given: a device whose 'big N' prints N MiB of lines in one go
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            fakeDevice(server, (in, out) -> {
                write(out, "box$ ");
                for (String command = readLine(in); command.startsWith("big "); command = readLine(in)) {
                    int mib = Integer.parseInt(command.substring(4));
                    write(out, command + "\r\n");
                    String line = "interface GigabitEthernet0/1 is up, line protocol is up ......\r\n"; // 64 bytes
                    String block = line.repeat(1024); // 64 KiB
                    for (int k = 0; k < mib * 16; k++) {
                        write(out, block);
                    }
                    write(out, "box$ ");
                }
            });
            TelnetTarget box = new TelnetTarget("t-big", "127.0.0.1", server.getLocalPort(), "u", Secret.of("p"),
                    TelnetProfile.GENERIC, Duration.ofSeconds(5), Duration.ofSeconds(60));

            // When: 7 MiB (never finished within a job timeout before: every read re-cleaned all output so far)
            List<CommandOutput> outputs = runner.run(box, List.of("big 7"));

            // Then
            assertEquals(7 * 16 * 1024, outputs.getFirst().output().lines().count());

            // and 9 MiB is over the 8 MiB cap
            var e = assertThrows(TelnetException.class, () -> runner.run(box, List.of("big 9")));
            assertEquals("output_too_large", e.code(), e.getMessage());
        }
    }

    interface AfterLogin {
        void run(InputStream in, OutputStream out) throws Exception;
    }

    /** A device on {@code server} that asks for login and password (taking any), then does {@code afterLogin}. */
    private static void fakeDevice(ServerSocket server, AfterLogin afterLogin) {
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                InputStream in = s.getInputStream();
                write(out, "box login: ");
                readLine(in);
                write(out, "Password: ");
                readLine(in);
                afterLogin.run(in, out);
                Thread.sleep(5000);
            } catch (Exception ignored) {
                // test server going away
            }
        });
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One line the client typed, without the telnet option negotiation around it. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b == 255) { // IAC: skip the command, and a whole subnegotiation
                int command = in.read();
                if (command == 250) {
                    while ((b = in.read()) >= 0 && b != 240) {
                        // inside SB … SE
                    }
                } else if (command >= 251) {
                    in.read();
                }
            } else if (b != '\r' && b != 0) {
                line.append((char) b);
            }
        }
        return line.toString();
    }

}
