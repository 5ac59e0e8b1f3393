package io.netwarden.platform.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Unix socket HTTP server: a request answered, what is refused in the head, slow clients, the socket file. */
class UnixSocketHttpServerTest {

    @TempDir
    Path dir;

    private UnixSocketHttpServer server;

    private UnixSocketHttpServer start(Path path) {
        server = new UnixSocketHttpServer(path, request -> new UnixSocketHttpServer.Response(200, ("{\"method\":\""
                + request.method() + "\",\"path\":\"" + request.path() + "\",\"body\":\""
                + new String(request.body(), StandardCharsets.UTF_8) + "\",\"peer\":\"" + request.peer() + "\"}")
                .getBytes(StandardCharsets.UTF_8)), 1024, Duration.ofMillis(500));
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Sends raw bytes; returns all that came back until the server closed. */
    static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer in = ByteBuffer.allocate(65536);
            while (client.read(in) >= 0 && in.hasRemaining()) {
                // until the server closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRequestIsAnsweredAndTheSocketIsForOwnerAndGroupOnly() throws Exception {
        Path path = dir.resolve("sub/api.sock");
        start(path);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        try (var left = Files.list(path.getParent())) {
            assertEquals(List.of(path), left.toList(), "nothing of the staging left beside it");
        }
        String answer = exchange(path, "POST /container/deploy?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\n"
                + "Content-Type: application/json\r\n\r\n{\"a\":1}");
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertTrue(answer.contains("Content-Length: "), answer);
        assertTrue(answer.endsWith("{\"method\":\"POST\",\"path\":\"/container/deploy\",\"body\":\"{\"a\":1}\",\"peer\":\""
                + System.getProperty("user.name") + "\"}"), answer);
        server.close();
        assertTrue(!Files.exists(path), "the socket file goes at the stop");
    }

    @Test
    void aBadHeadIsRefusedWithItsStatus() throws Exception {
        Path path = dir.resolve("api.sock");
        start(path);
        assertTrue(exchange(path, "GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(path, "GET relative HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(path, "GET / HTTP/1.1\r\nno colon here\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(path, "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(path, "POST / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 2\r\n\r\n{}")
                .startsWith("HTTP/1.1 400 "), "two lengths: which one would be meant?");
        String chunked = exchange(path, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
        assertTrue(chunked.startsWith("HTTP/1.1 411 ") && chunked.contains("\"error\":\"length_required\""), chunked);
        assertTrue(exchange(path, "POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n").startsWith("HTTP/1.1 413 "));
        String big = exchange(path, "GET / HTTP/1.1\r\nX-Long: " + "a".repeat(9000) + "\r\n\r\n");
        assertTrue(big.startsWith("HTTP/1.1 431 "), big.length() > 80 ? big.substring(0, 80) : big);
        // and it still answers
        assertTrue(exchange(path, "GET /x HTTP/1.0\r\n\r\n").startsWith("HTTP/1.1 200 "));
    }

    @Test
    void aClientThatSendsNothingIsClosedAfterTheReadTimeout() throws Exception {
        Path path = dir.resolve("api.sock");
        start(path);
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            silent.write(ByteBuffer.wrap("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{".getBytes(StandardCharsets.US_ASCII)));
            long start = System.nanoTime();
            int read = silent.read(ByteBuffer.allocate(16)); // blocks until the server closes it
            assertEquals(-1, read);
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "closed after the 500 ms timeout");
        }
    }

    @Test
    void aStaleSocketIsReplacedButAFileOrALiveSocketIsNot() throws Exception {
        Path stale = dir.resolve("stale.sock");
        ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        old.bind(UnixDomainSocketAddress.of(stale));
        IllegalStateException live = assertThrows(IllegalStateException.class, () -> start(stale));
        assertTrue(live.getMessage().contains("running process"), live.getMessage());
        old.close(); // the file stays behind, as after a crash
        assertTrue(Files.exists(stale));
        start(stale);
        assertTrue(exchange(stale, "GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 200 "));
        server.close();

        Path file = dir.resolve("precious.txt");
        Files.writeString(file, "keep me");
        server = null;
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> start(file));
        assertTrue(refused.getMessage().contains("not a socket"), refused.getMessage());
        assertEquals("keep me", Files.readString(file));
    }
}
