package io.netwarden.dnc.telnet;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets whose input is read in chunks, with an {@code available()} that mostly answers without a system call.
 * commons-net's telnet input (without its reader thread, see {@link TelnetSession}) asks {@code available()} once per
 * byte; on a plain socket stream that is one {@code ioctl} per byte, and 8 MiB of output took longer than a job may.
 *
 * <p>Not thread-safe, like the socket stream it wraps: one reader.
 */
final class ChunkedSocketFactory extends SocketFactory {

    static final int CHUNK = 16 * 1024;
    private static final long ASK_EVERY_NANOS = 1_000_000;

    @Override
    public Socket createSocket() {
        return new ChunkedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private static Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        Socket socket = new ChunkedSocket();
        if (local != null) {
            socket.bind(local);
        }
        socket.connect(remote);
        return socket;
    }

    private static final class ChunkedSocket extends Socket {
        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new ChunkedInput(super.getInputStream());
            }
            return input;
        }
    }

    private static final class ChunkedInput extends InputStream {
        private final InputStream socket;
        private final byte[] chunk = new byte[CHUNK];
        private int pos;
        private int end;
        private long lastEmpty = System.nanoTime() - ASK_EVERY_NANOS;

        ChunkedInput(InputStream socket) {
            this.socket = socket;
        }

        private boolean fill() throws IOException {
            int n = socket.read(chunk, 0, CHUNK);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            end = n;
            return true;
        }

        @Override
        public int read() throws IOException {
            if (pos == end && !fill()) {
                return -1;
            }
            return chunk[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos == end && !fill()) {
                return -1;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        /**
         * From the chunk when it holds data; else the socket is asked (and what is waiting read into the chunk), but at
         * most once a millisecond while it keeps saying 0: the buffers above call this once per byte, even while they hold
         * data themselves.
         */
        @Override
        public int available() throws IOException {
            if (pos < end) {
                return end - pos;
            }
            long now = System.nanoTime();
            if (now - lastEmpty < ASK_EVERY_NANOS) {
                return 0;
            }
            if (socket.available() == 0) {
                lastEmpty = now;
                return 0;
            }
            fill(); // data is waiting, so this does not block; later calls answer from the chunk
            return end - pos;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
