package io.netwarden.netmanager.tunnel;

import io.netwarden.netmanager.ipam.Ipv4Net;
import java.nio.charset.StandardCharsets;

/** IPv4 packets built for tests, with correct checksums. */
public final class Ipv4TestPackets {

    private Ipv4TestPackets() {
    }

    public static byte[] udp(String src, String dst, int sport, int dport, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[28 + data.length];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = (byte) Ipv4.UDP;
        put(p, 12, Ipv4Net.address(src));
        put(p, 16, Ipv4Net.address(dst));
        p[20] = (byte) (sport >>> 8);
        p[21] = (byte) sport;
        p[22] = (byte) (dport >>> 8);
        p[23] = (byte) dport;
        p[24] = (byte) ((8 + data.length) >>> 8);
        p[25] = (byte) (8 + data.length);
        System.arraycopy(data, 0, p, 28, data.length);
        int udp = Ipv4.transportChecksum(p, p.length);
        p[26] = (byte) (udp >>> 8);
        p[27] = (byte) udp;
        int header = Ipv4.headerChecksum(p);
        p[10] = (byte) (header >>> 8);
        p[11] = (byte) header;
        return p;
    }

    private static void put(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }
}
