package io.netwarden.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand on a plain socket: the request target goes out byte for byte as given (no client normalises
 * dot segments, doubled slashes or percent-encoding), and the connection can come from any loopback source address.
 */
public final class RawHttp {

    /** A parsed answer. */
    public record Answer(int status, String head, String body, long millis) {
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private RawHttp() {
    }

    public static Answer send(int port, String method, String target, String token, String body) throws IOException {
        return send(InetAddress.getLoopbackAddress(), port, method, target, token, body);
    }

    /** One request from {@code source} (a loopback address such as 127.0.0.2) on a fresh connection. */
    public static Answer send(InetAddress source, int port, String method, String target, String token, String body)
            throws IOException {
        StringBuilder request = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Connection: close\r\n")
                .append("Accept: application/json\r\n");
        if (token != null) {
            request.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            request.append("Content-Type: application/json\r\n");
        }
        request.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
        return exchange(source, port, request.toString().getBytes(StandardCharsets.ISO_8859_1), payload);
    }

    /** Sends {@code head} and {@code payload} as they are and reads the answer until the server closes. */
    public static Answer exchange(InetAddress source, int port, byte[] head, byte[] payload) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(payload);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1); // byte for byte: chunk sizes count bytes
            long millis = (System.nanoTime() - start) / 1_000_000;
            int end = text.indexOf("\r\n\r\n");
            if (!(text.startsWith("HTTP/1.1 ") || text.startsWith("HTTP/1.0 ")) || end < 0) {
                throw new IOException("not an HTTP answer: " + text.substring(0, Math.min(200, text.length())));
            }
            String head2 = text.substring(0, end);
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(new Answer(0, head2, "", 0).header("Transfer-Encoding"))) {
                body = dechunk(body);
            }
            body = new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            return new Answer(Integer.parseInt(text.substring(9, 12)), head2, body, millis);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(i, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
