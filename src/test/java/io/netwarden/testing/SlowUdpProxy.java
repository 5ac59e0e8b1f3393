package io.netwarden.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback UDP proxy in front of a real agent (snmpd) that holds every answer back for a while, to make a walk last
 * long enough for a test to kill the process running it. One upstream socket per client keeps answers apart.
 */
public final class SlowUdpProxy implements AutoCloseable {

    private final DatagramSocket front;
    private final InetSocketAddress target;
    private final long delayMillis;
    private final Map<SocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();

    public SlowUdpProxy(InetSocketAddress target, long delayMillis) throws IOException {
        this.front = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.target = target;
        this.delayMillis = delayMillis;
        Thread.ofVirtual().name("slow-proxy").start(this::relayRequests);
    }

    public int port() {
        return front.getLocalPort();
    }

    private void relayRequests() {
        byte[] buf = new byte[65535];
        while (!front.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                front.receive(in);
                DatagramSocket upstream = upstreams.computeIfAbsent(in.getSocketAddress(), this::openUpstream);
                upstream.send(new DatagramPacket(in.getData(), in.getLength(), target));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private DatagramSocket openUpstream(SocketAddress client) {
        try {
            DatagramSocket upstream = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[65535];
                while (!upstream.isClosed()) {
                    try {
                        DatagramPacket answer = new DatagramPacket(buf, buf.length);
                        upstream.receive(answer);
                        Thread.sleep(delayMillis);
                        front.send(new DatagramPacket(answer.getData(), answer.getLength(), client));
                    } catch (IOException | InterruptedException closed) {
                        return;
                    }
                }
            });
            return upstream;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        front.close();
        upstreams.values().forEach(DatagramSocket::close);
    }
}
