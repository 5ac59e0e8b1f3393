package io.netwarden.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Small programs the netmanager tests run inside network namespaces (Python 3, started with {@code ip netns exec}): an
 * echo server, a TCP client, a DNS query, and a raw capture of a link.
 */
public final class InstancePrograms {

    private InstancePrograms() {
    }

    /**
     * Starts a TCP and a UDP echo server on port 7 in {@code netns}, each answering {@code name:} and what came (TCP: up
     * to a newline); returns once both listen. The caller stops the process.
     */
    public static Process echoServers(String netns, String name) throws IOException {
        Process server = new ProcessBuilder("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", """
                import socket, sys, threading
                name = sys.argv[1].encode()
                def tcp():
                    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("0.0.0.0", 7)); s.listen(16)
                    while True:
                        c, _ = s.accept()
                        data = b""
                        while not data.endswith(b"\\n"):
                            chunk = c.recv(65536)
                            if not chunk: break
                            data += chunk
                        c.sendall(name + b":" + data); c.close()
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 7))
                threading.Thread(target=tcp, daemon=True).start()
                print("ready", flush=True)
                while True:
                    data, peer = u.recvfrom(65536); u.sendto(name + b":" + data, peer)
                """, name).redirectErrorStream(true).start();
        String ready = new String(server.getInputStream().readNBytes(5), StandardCharsets.UTF_8);
        if (!ready.equals("ready")) {
            server.destroyForcibly();
            throw new IllegalStateException("the echo servers in " + netns + " did not start: " + ready);
        }
        return server;
    }

    /** From {@code netns}: a TCP exchange with {@code address}:7; what came back, stripped (empty when nothing did). */
    public static String tcp(String netns, String address, String message) throws IOException, InterruptedException {
        return run("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", """
                import socket, sys
                try:
                    c = socket.create_connection((sys.argv[1], 7), timeout=3)
                    c.sendall(sys.argv[2].encode() + b"\\n")
                    data = b""
                    while True:
                        chunk = c.recv(65536)
                        if not chunk: break
                        data += chunk
                    sys.stdout.write(data.decode().strip())
                except Exception:
                    sys.stdout.write("")
                """, address, message);
    }

    /**
     * A DNS query from {@code netns} (from {@code source} when not empty) to {@code server}:53: "rcode answers address"
     * ("-" without an answer), or "timeout".
     */
    public static String dns(String netns, String source, String server, String name, int type)
            throws IOException, InterruptedException {
        return run("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", """
                import socket, struct, sys
                name, qtype = sys.argv[1], int(sys.argv[2])
                q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
                q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\\0" + struct.pack(">HH", qtype, 1)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
                if sys.argv[4]: s.bind((sys.argv[4], 0))
                s.sendto(q, (sys.argv[3], 53))
                try:
                    a = s.recv(512)
                except socket.timeout:
                    print("timeout"); sys.exit(0)
                ident, flags, qd, an = struct.unpack(">HHHH", a[:8])
                assert ident == 0x1234
                print(flags & 0xf, an, socket.inet_ntoa(a[-4:]) if an else "-")
                """, name, String.valueOf(type), server, source);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return out.strip();
    }

    /** Every frame on a link of a namespace until {@link #stop}: a raw packet socket in Python (no tcpdump needed). */
    public static final class Capture {
        private final Process process;
        private final ByteArrayOutputStream frames = new ByteArrayOutputStream();
        private final Thread reader;

        public Capture(String netns, String link) throws IOException {
            process = new ProcessBuilder("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", """
                    import socket, sys, threading
                    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(3))
                    s.bind((sys.argv[1], 0)); s.settimeout(0.2)
                    done = threading.Event()
                    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
                    sys.stdout.write("ready\\n"); sys.stdout.flush()
                    out = sys.stdout.buffer
                    while not done.is_set():
                        try:
                            out.write(s.recv(65535))
                        except socket.timeout:
                            pass
                    out.flush()
                    """, link).start();
            String ready = new String(process.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
            if (!ready.equals("ready\n")) {
                process.destroyForcibly();
                throw new IllegalStateException("the capture on " + link + " did not start: " + ready);
            }
            reader = Thread.ofVirtual().start(() -> {
                try {
                    process.getInputStream().transferTo(frames);
                } catch (IOException e) {
                    // the process was stopped
                }
            });
        }

        /** Stops and returns what was captured, as ISO-8859-1 text (a byte per char). */
        public String stop() throws InterruptedException {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // it ended already
            }
            reader.join(10_000);
            process.destroyForcibly();
            return frames.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
