package io.netwarden.edge.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** copyFile: the sender's chunks and the receiver's assembly, on real files (over NATS in EdgeFleetIT). */
class CopyFileTest {

    @TempDir
    Path dir;

    private Path outbox;
    private Path inbox;
    private FileChunks sender;
    private CopyFile receiver;

    @BeforeEach
    void sides() throws Exception {
        outbox = Files.createDirectories(dir.resolve("central/files"));
        inbox = Files.createDirectories(dir.resolve("ship/files"));
        sender = new FileChunks(new AllowedDirectories(List.of(outbox)), 8L * 1024 * 1024);
        receiver = new CopyFile(new AllowedDirectories(List.of(inbox)), dir.resolve("ship/transfers"), 8L * 1024 * 1024);
    }

    private static EdgeMessage copy(String source, String destination) {
        return new EdgeMessage("3f2a9c1e-0000-4000-8000-000000000001", "central", "ship1", EdgeMessage.Kind.command,
                CopyFile.NAME, List.of(source, destination), Duration.ofSeconds(30), Instant.now().plusSeconds(600),
                Optional.empty(), Optional.empty());
    }

    private byte[] randomFile(Path file, int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Files.write(file, bytes);
        return bytes;
    }

    @Test
    void aFileOfThreeChunksArrivesByteIdenticalAndOnlyWithTheLastChunk() throws Exception {
        byte[] original = randomFile(outbox.resolve("firmware.bin"), 2 * CopyFile.CHUNK + 12345);
        Path destination = inbox.resolve("firmware.bin");
        List<EdgeMessage> chunks = sender.expand(copy(outbox.resolve("firmware.bin").toString(), destination.toString()));
        assertEquals(3, chunks.size());
        assertEquals(List.of("3f2a9c1e-0000-4000-8000-000000000001~0", "3f2a9c1e-0000-4000-8000-000000000001~1",
                "3f2a9c1e-0000-4000-8000-000000000001"), chunks.stream().map(EdgeMessage::id).toList(),
                "the last chunk carries the message's own id");
        assertTrue(chunks.stream().allMatch(c -> c.data().stream().mapToInt(String::length).sum() < 800_000));

        assertTrue(receiver.run(chunks.get(0), null).succeeded());
        assertTrue(receiver.run(chunks.get(1), null).succeeded());
        assertFalse(Files.exists(destination), "nothing in place before the last chunk");
        MethodResult done = receiver.run(chunks.get(2), null);
        assertTrue(done.succeeded(), done.errorText());
        assertTrue(done.output().startsWith("copied " + original.length + " bytes"), done.output());
        assertArrayEquals(original, Files.readAllBytes(destination));
        try (var left = Files.list(dir.resolve("ship/transfers"))) {
            assertEquals(0, left.count(), "no part file left");
        }
    }

    @Test
    void aMissingChunkFailsTheCopyAndLeavesTheDestinationAlone() throws Exception {
        randomFile(outbox.resolve("a.bin"), CopyFile.CHUNK + 10);
        Path destination = Files.writeString(inbox.resolve("a.bin"), "the old version");
        List<EdgeMessage> chunks = sender.expand(copy(outbox.resolve("a.bin").toString(), destination.toString()));
        MethodResult result = receiver.run(chunks.get(1), null);
        assertEquals(Optional.of(EdgeError.FAILED), result.error());
        assertTrue(result.errorText().contains("does not match its size and SHA-256"), result.errorText());
        assertEquals("the old version", Files.readString(destination));
    }

    @Test
    void anEmptyFileIsOneChunk() throws Exception {
        Files.write(outbox.resolve("empty"), new byte[0]);
        List<EdgeMessage> chunks = sender.expand(copy(outbox.resolve("empty").toString(), inbox.resolve("empty").toString()));
        assertEquals(1, chunks.size());
        assertTrue(receiver.run(chunks.getFirst(), null).succeeded());
        assertEquals(0, Files.size(inbox.resolve("empty")));
    }

    @Test
    void sourcesAndDestinationsOutsideTheAllowedDirectoriesAreRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not to be sent");
        Files.createSymbolicLink(outbox.resolve("link.txt"), secret);
        assertThrows(FileChunks.NotSendable.class, () -> sender.check(List.of(secret.toString(), "/x")));
        assertThrows(FileChunks.NotSendable.class, () -> sender.check(List.of(outbox.resolve("link.txt").toString(), "/x")));
        assertThrows(FileChunks.NotSendable.class, () -> sender.check(List.of(outbox.resolve("missing").toString(), "/x")));
        assertThrows(FileChunks.NotSendable.class, () -> sender.check(List.of(outbox + "/../secret.txt", "/x")));
        assertThrows(FileChunks.NotSendable.class, () -> sender.check(List.of("relative.txt", "/x")));
        randomFile(outbox.resolve("ok.bin"), 100);
        assertThrows(FileChunks.NotSendable.class, () -> sender.check(List.of(outbox.resolve("ok.bin").toString(), "relative")));
        FileChunks small = new FileChunks(new AllowedDirectories(List.of(outbox)), 50);
        assertThrows(FileChunks.NotSendable.class, () -> small.check(List.of(outbox.resolve("ok.bin").toString(), "/x")));

        List<String> refused = new ArrayList<>();
        Files.createSymbolicLink(inbox.resolve("passwd"), secret);
        for (Path destination : List.of(dir.resolve("elsewhere.bin"), inbox.resolve("passwd"), inbox.resolve("../ok.bin"),
                inbox.resolve("no/such/dir/ok.bin"), inbox)) {
            EdgeMessage chunk = sender.expand(copy(outbox.resolve("ok.bin").toString(), destination.toString())).getFirst();
            MethodResult result = receiver.run(chunk, null);
            if (result.error().equals(Optional.of(EdgeError.NOT_ALLOWED))) {
                refused.add(destination.toString());
            }
        }
        assertEquals(5, refused.size(), refused.toString());
        assertEquals("not to be sent", Files.readString(secret), "the link's target untouched");
    }

    @Test
    void forgedChunksAreRefusedWithTheReason() {
        String sha = "0".repeat(64);
        for (List<String> data : List.of(
                List.of("/src", "/dst"),
                List.of("chunk", "../../etc", "/d", "0", "1", "1", sha, "AA=="),
                List.of("chunk", "t1", "/d", "1", "1", "1", sha, "AA=="),
                List.of("chunk", "t1", "/d", "0", "2", "1", sha, "AA=="),
                List.of("chunk", "t1", "/d", "0", "1", "-1", sha, "AA=="),
                List.of("chunk", "t1", "/d", "0", "1", "1", "XYZ", "AA=="),
                List.of("chunk", "t1", "/d", "0", "1", "1", sha, "not base64!"),
                List.of("chunk", "t1", "/d", "0", "1", "5", sha, "AA=="))) {
            EdgeMessage forged = new EdgeMessage("m", "central", "ship1", EdgeMessage.Kind.command, CopyFile.NAME, data,
                    Duration.ofSeconds(5), Instant.now().plusSeconds(60), Optional.empty(), Optional.empty());
            MethodResult result = receiver.run(forged, null);
            assertEquals(Optional.of(EdgeError.INVALID_MESSAGE), result.error(), data + ": " + result.errorText());
        }
    }
}
