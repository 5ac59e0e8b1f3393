package io.netwarden.edge.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** textLogging, tailFile and ping on real files. */
class FileMethodsTest {

    @TempDir
    Path dir;

    private static EdgeMessage message(String from, String method, String... data) {
        return new EdgeMessage("m", from, "ship1", EdgeMessage.Kind.event, method, List.of(data), Duration.ofSeconds(5),
                Instant.now().plusSeconds(60), Optional.empty(), Optional.empty());
    }

    @Test
    void textLoggingAppendsLinesToTheSendersFileWithoutControlCharacters() throws Exception {
        TextLogging logging = new TextLogging(dir.resolve("logs"), 1024);
        assertTrue(logging.run(message("central", "textLogging", "first", "second\twith tab"), null).succeeded());
        assertTrue(logging.run(message("central", "textLogging", "forged\nINFO line\u001b[31m\u202e"), null).succeeded());
        assertEquals("first\nsecond\twith tab\nforged?INFO line?[31m?\n",
                Files.readString(dir.resolve("logs/central.log"), StandardCharsets.UTF_8));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("logs"))));
        // a full file takes no more
        MethodResult full = logging.run(message("central", "textLogging", "x".repeat(2000)), null);
        assertEquals(Optional.of(EdgeError.FAILED), full.error());
        assertTrue(full.errorText().contains("central.log has reached 1024 bytes"), full.errorText());
    }

    @Test
    void tailFileReadsTheLastLinesOfAllowedFilesOnly() throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("var/log"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "do not read\n");
        String content = IntStream.rangeClosed(1, 50).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")) + "\n";
        Path log = Files.writeString(allowed.resolve("app.log"), content);
        Files.createSymbolicLink(allowed.resolve("escape.log"), secret);
        TailFile tail = new TailFile(new AllowedDirectories(List.of(allowed)), 64 * 1024);

        assertEquals("line 48\nline 49\nline 50\n", tail.run(message("central", "tailFile", log.toString(), "3"), null).output());
        assertEquals(IntStream.rangeClosed(41, 50).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()),
                tail.run(message("central", "tailFile", log.toString()), null).output());
        assertEquals(content, tail.run(message("central", "tailFile", log.toString(), "1000"), null).output());
        for (String path : List.of(secret.toString(), allowed.resolve("escape.log").toString(),
                allowed.resolve("../../secret.txt").toString(), allowed.resolve("missing.log").toString(), allowed.toString())) {
            MethodResult refused = tail.run(message("central", "tailFile", path), null);
            assertEquals(Optional.of(EdgeError.NOT_ALLOWED), refused.error(), path);
            assertFalse(refused.errorText().contains("secret") || refused.output().contains("do not read"), refused.errorText());
        }
        assertEquals(Optional.of(EdgeError.INVALID_MESSAGE), tail.run(message("central", "tailFile", "var/log/app.log"), null).error());
        assertEquals(Optional.of(EdgeError.INVALID_MESSAGE), tail.run(message("central", "tailFile", log.toString(), "0"), null).error());
    }

    @Test
    void tailFileStopsAtItsByteCapAndSaysSo() throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("logs"));
        Path log = Files.writeString(allowed.resolve("one-long-line.log"), "x".repeat(100_000) + "\n");
        MethodResult result = new TailFile(new AllowedDirectories(List.of(allowed)), 4096).run(message("central", "tailFile", log.toString(), "5"), null);
        assertTrue(result.truncated());
        assertEquals(4096, result.output().length());
        Path last = Files.writeString(allowed.resolve("no-final-newline.log"), "a\nb\nc");
        assertEquals("b\nc", new TailFile(new AllowedDirectories(List.of(allowed)), 4096).run(message("central", "tailFile", last.toString(), "2"), null).output());
    }

    @Test
    void pingSaysWhoAnswers() {
        Ping ping = new Ping("ship1", "1.2.3", List.of("edge-node"), Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));
        assertEquals("{\"node\":\"ship1\",\"version\":\"1.2.3\",\"roles\":[\"edge-node\"],\"time\":\"2026-11-30T12:00:00Z\"}",
                ping.run(message("central", "ping"), null).output());
    }
}
