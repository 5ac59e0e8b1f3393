package io.netwarden.registry.description;

import io.netwarden.registry.ssdp.DropReason;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Fetches a device description with one plain HTTP/1.1 GET, under rules stricter than the usual control points':
 *
 * <pre>
 *   connect to the advertisement's source address itself (never a name: nothing is resolved) ─▶ GET, Connection: close
 *     ─▶ status line and head (at most MAX_HEAD bytes) ─ 3xx ─▶ DESCRIPTION_REDIRECT (never followed)
 *                                                      └ not 200 / not HTTP/1.x ─▶ DESCRIPTION_STATUS
 *     ─▶ body by Content-Length, chunked, or up to the close ─ beyond the cap ─▶ DESCRIPTION_TOO_LARGE
 *   one deadline for all of it (connect, head, body): a server that trickles or never ends ─▶ DESCRIPTION_TIMEOUT
 *   refused, reset, no route ─▶ DESCRIPTION_UNREACHABLE
 * </pre>
 *
 * Written for this job rather than on {@code java.net.http}: no proxy, pool, HTTP/2 or redirect logic to switch off,
 * and the deadline covers the body as well. Stateless; thread-safe; each fetch blocks its (virtual) thread.
 */
public final class HttpDescriptionSource implements DescriptionSource {

    /** How long a whole fetch may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** The largest description body taken. */
    public static final int MAX_BODY = 256 * 1024;
    static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_LINE = 1024;

    private final Duration timeout;
    private final int maxBody;
    private final String userAgent;

    public HttpDescriptionSource(String userAgent) {
        this(TIMEOUT, MAX_BODY, userAgent);
    }

    HttpDescriptionSource(Duration timeout, int maxBody, String userAgent) {
        this.timeout = timeout;
        this.maxBody = maxBody;
        this.userAgent = userAgent;
    }

    @Override
    public byte[] fetch(URI location, InetAddress address) throws DescriptionException {
        if (!"http".equalsIgnoreCase(location.getScheme()) || location.getHost() == null) {
            throw new DescriptionException(DropReason.BAD_LOCATION, "only http locations are fetched");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int port = location.getPort() < 0 ? 80 : location.getPort();
        String path = location.getRawPath() == null || location.getRawPath().isEmpty() ? "/" : location.getRawPath();
        String target = location.getRawQuery() == null ? path : path + "?" + location.getRawQuery();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, remainingMillis(deadline)));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + location.getRawAuthority() + "\r\nUser-Agent: " + userAgent
                    + "\r\nAccept: text/xml, application/xml\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(new DeadlineInput(socket, deadline), 8192);
            Head head = head(in);
            if (head.status / 100 == 3) {
                throw new DescriptionException(DropReason.DESCRIPTION_REDIRECT, "answered " + head.status + " (a redirect)");
            }
            if (head.status != 200) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "answered " + head.status);
            }
            if (head.chunked) {
                return chunked(in);
            }
            if (head.length >= 0) {
                if (head.length > maxBody) {
                    throw tooLarge();
                }
                byte[] body = in.readNBytes((int) head.length);
                if (body.length < head.length) {
                    throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "the body ended before its Content-Length");
                }
                return body;
            }
            byte[] body = in.readNBytes(maxBody + 1); // up to the close
            if (body.length > maxBody) {
                throw tooLarge();
            }
            return body;
        } catch (SocketTimeoutException e) {
            throw new DescriptionException(DropReason.DESCRIPTION_TIMEOUT, "no full answer within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            throw new DescriptionException(DropReason.DESCRIPTION_UNREACHABLE, "connection refused");
        } catch (IOException e) {
            throw new DescriptionException(DropReason.DESCRIPTION_UNREACHABLE, "connection failed: "
                    + e.getClass().getSimpleName());
        }
    }

    private DescriptionException tooLarge() {
        return new DescriptionException(DropReason.DESCRIPTION_TOO_LARGE, "larger than " + maxBody + " bytes");
    }

    private record Head(int status, long length, boolean chunked) {
    }

    /** The status line and headers; only what the body's framing needs is kept. */
    private static Head head(InputStream in) throws IOException, DescriptionException {
        int[] read = {0};
        String statusLine = line(in, read);
        if (!statusLine.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
            throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "not an HTTP/1.x response");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String header = line(in, read); !header.isEmpty(); header = line(in, read)) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "a malformed response header");
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            if (name.equals("transfer-encoding")) {
                if (!value.equalsIgnoreCase("chunked")) {
                    throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "an unsupported Transfer-Encoding");
                }
                chunked = true;
            } else if (name.equals("content-length")) {
                if (!value.matches("[0-9]{1,12}") || length >= 0 && length != Long.parseLong(value)) {
                    throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "a malformed Content-Length");
                }
                length = Long.parseLong(value);
            }
        }
        return new Head(status, chunked ? -1 : length, chunked);
    }

    /** One line of the head, without its CRLF (a bare LF is taken); the head in all is bounded. */
    private static String line(InputStream in, int[] headBytes) throws IOException, DescriptionException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "the response ended in its head");
            }
            if (++headBytes[0] > MAX_HEAD || line.length() > MAX_LINE * 8) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "the response head is too large");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    private byte[] chunked(InputStream in) throws IOException, DescriptionException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int[] read = {0};
        while (true) {
            String sizeLine = line(in, read);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
            if (!hex.matches("[0-9a-fA-F]{1,7}")) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "a malformed chunk size");
            }
            int size = Integer.parseInt(hex, 16);
            if (size == 0) {
                while (!line(in, read).isEmpty()) {
                    // trailers: bounded by the head limit, not kept
                }
                return body.toByteArray();
            }
            if (body.size() + (long) size > maxBody) {
                throw tooLarge();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "the body ended inside a chunk");
            }
            body.write(chunk);
            if (!line(in, read).isEmpty()) {
                throw new DescriptionException(DropReason.DESCRIPTION_STATUS, "a chunk longer than its size");
            }
            read[0] = 0; // each chunk's lines are bounded on their own
        }
    }

    private static long remainingMillis(long deadline) {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    /** The socket's input, each read bounded by what is left of the one deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        private void arm() throws IOException {
            long left = remainingMillis(deadline);
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            arm();
            return in.read(buffer, offset, length);
        }
    }
}
