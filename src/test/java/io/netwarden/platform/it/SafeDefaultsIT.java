package io.netwarden.platform.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.AppProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the packaged jar does before anyone configures it: loopback only, a token that cannot be guessed, a closed data dir. */
class SafeDefaultsIT {

    @TempDir
    Path dir;

    @Test
    void aShortTokenStopsStartUpWithAClearMessage() throws Exception {
        String token = "too-short-token";
        try (AppProcess app = AppProcess.start(dir, Map.of("NETWARDEN_API_TOKEN", token))) {
            int exit = app.awaitExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit);
            assertTrue(app.output().contains("NETWARDEN_API_TOKEN (netwarden.api.token) is 15 characters long; an API token needs"
                    + " at least 24 (make one with: openssl rand -base64 32)"), app.output());
            assertFalse(app.output().contains(token), "the token is never printed");
        }
    }

    @Test
    void withoutAnExplicitHostOnlyLoopbackIsListenedOn() throws Exception {
        try (AppProcess app = AppProcess.start(dir, Map.of(), false)) {
            app.awaitReady(Duration.ofSeconds(60));
            List<String> listening = listeningAddresses(app.port());
            assertEquals(List.of("127.0.0.1"), listening, "listening sockets on port " + app.port());
        }
    }

    @Test
    void theDataDirectoryIsCreatedOwnerOnlyAndTightenedWhenFoundOpen() throws Exception {
        Path data = dir.resolve("data");
        try (AppProcess app = AppProcess.start(dir, Map.of())) {
            app.awaitReady(Duration.ofSeconds(60));
            assertEquals("rwx------", mode(data));
            assertAllOwnerOnly(data);
            try (Stream<Path> files = Files.walk(data)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".trace.db")), "no H2 trace file");
            }
            app.stop();
        }

        // Given: someone opened it up
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data.resolve("api-token"), PosixFilePermissions.fromString("rw-r--r--"));

        // When
        try (AppProcess app = AppProcess.start(dir, Map.of())) {
            app.awaitReady(Duration.ofSeconds(60));

            // Then
            assertEquals("rwx------", mode(data));
            assertAllOwnerOnly(data);
            String output = app.output();
            assertTrue(output.contains("was open to other users; tightened to 700 (directories) and 600 (files): "
                    + ". (was rwxr-xr-x), api-token (was rw-r--r--)"), output);
        }
    }

    private static void assertAllOwnerOnly(Path data) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> all = Files.walk(data)) {
            all.forEach(p -> {
                String mode = mode(p);
                boolean ok = Files.isDirectory(p) ? mode.equals("rwx------") : mode.endsWith("------");
                if (!ok) {
                    open.add(data.relativize(p) + " " + mode);
                }
            });
        }
        assertTrue(open.isEmpty(), "not owner-only: " + open);
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            return "<gone>";
        }
    }

    /** Local addresses of the sockets listening on {@code port}, from /proc/net/tcp and tcp6 (no traffic sent). */
    static List<String> listeningAddresses(int port) throws IOException {
        List<String> found = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) { // 0A = LISTEN
                    found.add(address(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        return found;
    }

    private static String address(String hex) {
        if (hex.length() == 8) { // little-endian IPv4
            return Integer.parseInt(hex.substring(6, 8), 16) + "." + Integer.parseInt(hex.substring(4, 6), 16) + "."
                    + Integer.parseInt(hex.substring(2, 4), 16) + "." + Integer.parseInt(hex.substring(0, 2), 16);
        }
        if (hex.startsWith("0000000000000000FFFF0000")) { // an IPv4-mapped IPv6 address (Java's dual-stack socket)
            return address(hex.substring(24));
        }
        return hex.chars().allMatch(c -> c == '0') ? "::" : "ipv6:" + hex;
    }
}
