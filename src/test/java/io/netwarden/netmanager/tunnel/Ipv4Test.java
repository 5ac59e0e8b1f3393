package io.netwarden.netmanager.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netwarden.netmanager.ipam.Ipv4Net;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4Test {

    /** A packet with correct checksums: 20-byte header, the transport header and a payload. */
    static byte[] packet(int protocol, String src, String dst, int sport, int dport, int payload, long seed) {
        Random random = new Random(seed);
        int transport = protocol == Ipv4.TCP ? 20 : 8;
        byte[] p = new byte[20 + transport + payload];
        random.nextBytes(p);
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[6] = 0x40; // don't fragment
        p[7] = 0;
        p[9] = (byte) protocol;
        put32(p, 12, Ipv4Net.address(src));
        put32(p, 16, Ipv4Net.address(dst));
        if (protocol == Ipv4.ICMP) {
            p[20] = 8;
            p[21] = 0;
            put16(p, 24, sport);
            put16(p, 22, 0);
            put16(p, 22, icmpChecksum(p));
        } else {
            put16(p, 20, sport);
            put16(p, 22, dport);
            if (protocol == Ipv4.UDP) {
                put16(p, 24, transport + payload);
            } else {
                p[32] = 0x50;
            }
            put16(p, protocol == Ipv4.TCP ? 36 : 26, Ipv4.transportChecksum(p, p.length));
        }
        put16(p, 10, Ipv4.headerChecksum(p));
        return p;
    }

    static int icmpChecksum(byte[] p) {
        long sum = 0;
        for (int i = 20; i < p.length; i += 2) {
            if (i != 22) {
                sum += (p[i] & 0xff) << 8 | (i + 1 < p.length ? p[i + 1] & 0xff : 0);
            }
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static void put16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    private static void put32(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }

    @Test
    void rewritingAddressesAndPortsKeepsEveryChecksumRight() {
        for (int protocol : new int[] {Ipv4.TCP, Ipv4.UDP}) {
            for (int seed = 0; seed < 200; seed++) {
                byte[] p = packet(protocol, "10.16.1.2", "10.32.0.1", 40000 + seed, 80, seed * 7 % 1400 + 1, seed);
                assertNull(Ipv4.check(p, p.length));
                Ipv4.setDestination(p, Ipv4Net.address("10.16." + seed + ".9"));
                Ipv4.setSource(p, Ipv4Net.address("10.32." + (seed % 250) + ".77"));
                Ipv4.setDestinationPort(p, 8000 + seed);
                assertEquals(Ipv4.headerChecksum(p), Ipv4.u16(p, 10), "header, seed " + seed);
                assertEquals(Ipv4.transportChecksum(p, p.length), Ipv4.u16(p, protocol == Ipv4.TCP ? 36 : 26),
                        "transport " + protocol + ", seed " + seed);
                assertEquals(8000 + seed, Ipv4.destinationPort(p));
                assertEquals("10.16." + seed + ".9", Ipv4Net.format(Ipv4.destination(p)));
            }
        }
        byte[] echo = packet(Ipv4.ICMP, "10.16.1.2", "10.32.0.1", 4242, 0, 56, 1);
        Ipv4.setDestination(echo, Ipv4Net.address("10.16.2.2"));
        Ipv4.setSourcePort(echo, 777);
        assertEquals(777, Ipv4.sourcePort(echo));
        assertEquals(Ipv4.headerChecksum(echo), Ipv4.u16(echo, 10));
        assertEquals(icmpChecksum(echo), Ipv4.u16(echo, 22), "ICMP: the identifier counted, the addresses not");
    }

    @Test
    void packetsTheTunnelCannotCarryAreNamed() {
        byte[] p = packet(Ipv4.UDP, "10.16.1.2", "10.32.0.1", 1, 2, 10, 3);
        assertNotNull(Ipv4.check(p, p.length - 1), "length differs");
        assertNotNull(Ipv4.check(new byte[10], 10));
        byte[] v6 = p.clone();
        v6[0] = 0x60;
        assertNotNull(Ipv4.check(v6, v6.length));
        byte[] fragment = p.clone();
        fragment[6] = 0x20; // more fragments
        assertNotNull(Ipv4.check(fragment, fragment.length));
        byte[] gre = p.clone();
        gre[9] = 47;
        assertNotNull(Ipv4.check(gre, gre.length));
        byte[] badIhl = p.clone();
        badIhl[0] = 0x4f;
        assertNotNull(Ipv4.check(badIhl, badIhl.length));
    }
}
