package io.netwarden.platform.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A small HTTP/1.1 server on a Unix domain socket, for local control APIs that callers reach by a socket path (as
 * Oakestra's NodeEngine reaches its NetManager, or clients reach Docker). The socket file's permissions are the access
 * control: owner and group may connect ({@code rw-rw----}), nobody else.
 *
 * <pre>
 *   start ─ the path is a socket something still listens on ─▶ refused     ─ a stale socket ─▶ removed
 *         ─ the path is anything else (a file, a directory) ─▶ refused (nothing is deleted that is not a socket)
 *         ─▶ bound, rw-rw----
 *   connection (at most {@code MAX_CONNECTIONS} at once; more are closed at once), one request, then closed:
 *     head ─ over 8 KiB ─▶ 431    ─ not "METHOD /path HTTP/1.x", a bad header, two Content-Lengths ─▶ 400
 *          ─ Transfer-Encoding ─▶ 411 (a Content-Length is required)      ─ Content-Length over the limit ─▶ 413
 *     body (Content-Length bytes) ─▶ the handler ─▶ its status and JSON      ─ nothing for the read timeout ─▶ closed
 *     after the answer: output shut, what the client still sends read and dropped, then closed
 * </pre>
 *
 * Thread safety: one thread accepts; each connection runs on a virtual thread; the handler must be thread-safe.
 */
public final class UnixSocketHttpServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UnixSocketHttpServer.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    static final int MAX_HEAD = 8192;
    static final int MAX_CONNECTIONS = 64;

    /** One request: method, path (without the query), body, and the connecting user when the kernel says. */
    public record Request(String method, String path, byte[] body, String peer) {
    }

    /** An answer: status and a JSON body. */
    public record Response(int status, byte[] json) {
    }

    /** Answers requests; called on a virtual thread per connection. */
    public interface Handler {
        Response handle(Request request);
    }

    private final Path path;
    private final Handler handler;
    private final int maxBody;
    private final Duration readTimeout;
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("unix-http-timeouts").daemon().factory());
    private ServerSocketChannel server;
    private volatile boolean closed;

    public UnixSocketHttpServer(Path path, Handler handler, int maxBody, Duration readTimeout) {
        this.path = path.toAbsolutePath();
        this.handler = handler;
        this.maxBody = maxBody;
        this.readTimeout = readTimeout;
    }

    /** Binds the socket and starts accepting; an {@link IllegalStateException} saying why when it cannot. */
    public synchronized void start() {
        try {
            Path parent = path.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent);
            }
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!isSocket(path)) {
                    throw new IllegalStateException(path + " exists and is not a socket; not touched");
                }
                if (listening(path)) {
                    throw new IllegalStateException(path + " is the socket of a running process");
                }
                Files.delete(path); // stale, from a process that did not stop cleanly
            }
            // bound in a private directory, given its permissions there, then linked into place (link(2) never
            // replaces a file): no moment in which the socket is open to others, nothing at the path overwritten
            Path staging = Files.createTempDirectory(parent == null ? Path.of(".") : parent, ".socket-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path staged = staging.resolve("s");
            try {
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(staged));
                Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-rw----"));
                Files.createLink(path, staged);
            } catch (IOException e) {
                if (server != null) {
                    server.close();
                }
                throw e;
            } finally {
                Files.deleteIfExists(staged);
                Files.deleteIfExists(staging);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the socket " + path + " could not be made: " + e.getMessage());
        }
        Thread.ofPlatform().name("unix-http-accept").daemon().start(this::accept);
    }

    public Path path() {
        return path;
    }

    private static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer m && (m & 0170000) == 0140000;
    }

    private static boolean listening(Path path) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private void accept() {
        while (!closed) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("%s: accepting failed: %s", path, e.getMessage());
                }
                continue;
            }
            if (!connections.tryAcquire()) {
                close(connection);
                LOG.debugf("%s: more than %d connections at once; one closed", path, MAX_CONNECTIONS);
                continue;
            }
            Thread.ofVirtual().name("unix-http").start(() -> {
                try {
                    serve(connection);
                } finally {
                    close(connection);
                    connections.release();
                }
            });
        }
    }

    private void serve(SocketChannel connection) {
        ScheduledFuture<?> timeout = timeouts.schedule(() -> close(connection), readTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            Response response = read(connection);
            write(connection, response);
            // what the client still sends (a refused head's rest) is read and dropped before closing: closing with
            // unread bytes would reset the connection and lose the answer (bounded by the read timeout and 64 KiB)
            connection.shutdownOutput();
            ByteBuffer rest = ByteBuffer.allocate(8192);
            long drained = 0;
            int n;
            while ((n = connection.read(rest)) >= 0 && drained < 65_536) {
                drained += n;
                rest.clear();
            }
        } catch (IOException e) {
            LOG.debugf("%s: a connection ended: %s", path, e.getMessage());
        } finally {
            timeout.cancel(false);
        }
    }

    /** Reads one request and answers it (or the error it is). */
    private Response read(SocketChannel connection) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
        int end = -1;
        while (end < 0) {
            if (!head.hasRemaining()) {
                return error(431, "headers_too_large", "the request's head is over " + MAX_HEAD + " bytes");
            }
            int before = head.position();
            if (connection.read(head) < 0) {
                throw new IOException("closed before the end of the head");
            }
            end = indexOf(head.array(), Math.max(0, before - 3), head.position());
        }
        String[] lines = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !requestLine[0].matches("[A-Z]{1,16}") || !requestLine[1].startsWith("/")
                || !requestLine[2].matches("HTTP/1\\.[01]")) {
            return error(400, "bad_request", "not an HTTP/1.1 request line");
        }
        long length = -1;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return error(400, "bad_request", "a header line without a name");
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (name.equals("transfer-encoding")) {
                return error(411, "length_required", "send the body with a Content-Length, not chunked");
            }
            if (name.equals("content-length")) {
                if (!value.matches("[0-9]{1,10}") || length >= 0) {
                    return error(400, "bad_request", "Content-Length is not one number");
                }
                length = Long.parseLong(value);
            }
        }
        length = Math.max(length, 0);
        if (length > maxBody) {
            return error(413, "payload_too_large", "the body is over " + maxBody + " bytes");
        }
        byte[] body = new byte[(int) length];
        int have = Math.min(body.length, head.position() - end - 4);
        System.arraycopy(head.array(), end + 4, body, 0, have);
        ByteBuffer rest = ByteBuffer.wrap(body, have, body.length - have);
        while (rest.hasRemaining()) {
            if (connection.read(rest) < 0) {
                throw new IOException("closed before the end of the body");
            }
        }
        String target = requestLine[1];
        int query = target.indexOf('?');
        String requestPath = query < 0 ? target : target.substring(0, query);
        return handler.handle(new Request(requestLine[0], requestPath, body, peer(connection)));
    }

    private static String peer(SocketChannel connection) {
        try {
            return connection.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    private static int indexOf(byte[] bytes, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void write(SocketChannel connection, Response response) throws IOException {
        String head = "HTTP/1.1 " + response.status() + " " + reason(response.status()) + "\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + response.json().length + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + response.json().length);
        out.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(response.json()).flip();
        while (out.hasRemaining()) {
            connection.write(out);
        }
    }

    /** An error answer in the API's shape: {@code {"error","message"}}. */
    public static Response error(int status, String code, String message) {
        try {
            return new Response(status, JSON.writeValueAsBytes(new io.netwarden.platform.api.ApiError(code, message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Payload Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Server Error" : "Error";
        };
    }

    private static void close(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** Stops accepting and removes the socket file. */
    @Override
    public synchronized void close() {
        closed = true;
        timeouts.shutdownNow();
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.debugf("%s: closing: %s", path, e.getMessage());
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warnf("%s could not be removed: %s", path, e.getMessage());
            }
        }
    }
}
