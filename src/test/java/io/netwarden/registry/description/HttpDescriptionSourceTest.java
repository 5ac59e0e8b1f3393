package io.netwarden.registry.description;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.registry.ssdp.DropReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The description fetch against a real TCP server on loopback that answers as the test says: well-formed answers in the
 * three framings, and the hostile ones (redirect, trickle, endless, oversized, silent, not HTTP).
 */
class HttpDescriptionSourceTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final byte[] BODY = FakeDescriptionSource.description("Box", "uuid:1").getBytes(StandardCharsets.UTF_8);

    private final HttpDescriptionSource source = new HttpDescriptionSource(Duration.ofMillis(800), 64 * 1024, "test/1");
    private ServerSocket server;
    private final CompletableFuture<String> request = new CompletableFuture<>();

    /** What the server does with the connection once the request head is read. */
    @FunctionalInterface
    interface Answer {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    private URI serve(Answer answer) throws IOException {
        server = new ServerSocket(0, 10, LOOPBACK);
        Thread.ofVirtual().start(() -> {
            try (Socket connection = server.accept()) {
                request.complete(head(connection.getInputStream()));
                answer.write(connection.getOutputStream());
                connection.getOutputStream().flush();
            } catch (IOException | InterruptedException e) {
                request.complete("");
            }
        });
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/desc.xml?x=1");
    }

    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private DropReason refused(URI location) {
        return assertThrows(DescriptionException.class, () -> source.fetch(location, LOOPBACK)).reason();
    }

    @Test
    void aPlainAnswerIsReadAndTheRequestIsAMinimalGet() throws Exception {
        URI location = serve(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + BODY.length + "\r\n\r\n"));
            out.write(BODY);
        });

        assertArrayEquals(BODY, source.fetch(location, LOOPBACK));
        String head = request.get(5, TimeUnit.SECONDS);
        assertTrue(head.startsWith("GET /desc.xml?x=1 HTTP/1.1\r\n"), head);
        assertTrue(head.contains("\r\nHost: 127.0.0.1:" + location.getPort() + "\r\n"), head);
        assertTrue(head.contains("\r\nConnection: close\r\n") && head.contains("\r\nUser-Agent: test/1\r\n"), head);
    }

    @Test
    void chunkedAndCloseDelimitedBodiesAreRead() throws Exception {
        URI chunked = serve(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
            out.write(ascii(Integer.toHexString(100) + ";ext=1\r\n"));
            out.write(BODY, 0, 100);
            out.write(ascii("\r\n" + Integer.toHexString(BODY.length - 100) + "\r\n"));
            out.write(BODY, 100, BODY.length - 100);
            out.write(ascii("\r\n0\r\nX-Trailer: t\r\n\r\n"));
        });
        assertArrayEquals(BODY, source.fetch(chunked, LOOPBACK));
        server.close();

        URI closed = serve(out -> {
            out.write(ascii("HTTP/1.0 200 OK\r\n\r\n"));
            out.write(BODY);
        });
        assertArrayEquals(BODY, source.fetch(closed, LOOPBACK));
    }

    @Test
    void aRedirectIsNeverFollowed() throws Exception {
        assertEquals(DropReason.DESCRIPTION_REDIRECT, refused(serve(out -> out.write(ascii(
                "HTTP/1.1 302 Found\r\nLocation: http://198.51.100.1/evil.xml\r\nContent-Length: 0\r\n\r\n")))));
    }

    @Test
    void anotherStatusOrNotHttpIsRefused() throws Exception {
        assertEquals(DropReason.DESCRIPTION_STATUS, refused(serve(out -> out.write(ascii(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")))));
        server.close();
        assertEquals(DropReason.DESCRIPTION_STATUS, refused(serve(out -> out.write(ascii("SSH-2.0-OpenSSH_9.2\r\n")))));
        server.close();
        assertEquals(DropReason.DESCRIPTION_STATUS, refused(serve(out -> out.write(ascii(
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n")))));
    }

    @Test
    void aBodyOverTheCapIsRefusedWhateverItsFraming() throws Exception {
        assertEquals(DropReason.DESCRIPTION_TOO_LARGE, refused(serve(out -> out.write(ascii(
                "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n")))));
        server.close();
        assertEquals(DropReason.DESCRIPTION_TOO_LARGE, refused(serve(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\n\r\n"));
            out.write(new byte[70 * 1024]);
        })));
        server.close();
        assertEquals(DropReason.DESCRIPTION_TOO_LARGE, refused(serve(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
            for (int i = 0; i < 80; i++) {
                out.write(ascii("400\r\n"));
                out.write(new byte[1024]);
                out.write(ascii("\r\n"));
            }
        })));
    }

    @Test
    void aServerThatTricklesOrNeverAnswersRunsIntoTheOneDeadline() throws Exception {
        long started = System.nanoTime();
        assertEquals(DropReason.DESCRIPTION_TIMEOUT, refused(serve(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\n\r\n"));
            for (int i = 0; i < 1000; i++) { // endless, slowly: each read alone is quick
                out.write('<');
                out.flush();
                Thread.sleep(20);
            }
        })));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(took < 3000, "bounded by the deadline, not per read: " + took + " ms");
        server.close();

        assertEquals(DropReason.DESCRIPTION_TIMEOUT, refused(serve(out -> Thread.sleep(5000))));
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, LOOPBACK)) {
            port = free.getLocalPort();
        }
        assertEquals(DropReason.DESCRIPTION_UNREACHABLE, refused(URI.create("http://127.0.0.1:" + port + "/d.xml")));
    }
}
