package io.netwarden.netmanager.tunnel;

/**
 * Reading and rewriting IPv4 packets in place: addresses, TCP/UDP ports, the ICMP echo identifier, and every checksum
 * they touch, updated incrementally (RFC 1624) rather than recomputed over the whole packet.
 *
 * <pre>
 *   0        4        8                16                                31
 *   version │ IHL   │ TOS  │ total length
 *   identification          │ flags │ fragment offset
 *   TTL     │ protocol      │ header checksum
 *   source address (12) ── destination address (16) ── options ── payload at IHL×4
 *   TCP: ports at +0/+2, checksum at +16     UDP: ports at +0/+2, checksum at +6 (0: none)
 *   ICMP echo (type 8/0): identifier at +4 — the "port" that tells flows apart; its checksum leaves out the addresses
 * </pre>
 *
 * Every method takes the packet's array and the packet's length; {@link #check} says first whether it is one this
 * code may touch. Stateless.
 */
public final class Ipv4 {

    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;

    private Ipv4() {
    }

    /**
     * Null when {@code p[0..length)} is an IPv4 packet the tunnel can carry: version 4, a header length of 20-60 within
     * the packet, a total length equal to {@code length}, not a fragment (fragments are not carried), a TCP, UDP or ICMP
     * payload whose header is there. Otherwise why not.
     */
    public static String check(byte[] p, int length) {
        if (length < 20 || (p[0] & 0xf0) != 0x40) {
            return "not IPv4";
        }
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > length) {
            return "bad header length";
        }
        if (u16(p, 2) != length) {
            return "total length differs from the packet";
        }
        int protocol = p[9] & 0xff;
        int fragmentOffset = u16(p, 6) & 0x1fff;
        if (fragmentOffset != 0 || (u16(p, 6) & 0x2000) != 0) {
            return "a fragment";
        }
        int need = switch (protocol) {
            case TCP -> 20;
            case UDP -> 8;
            case ICMP -> 8;
            default -> -1;
        };
        if (need < 0) {
            return "protocol " + protocol;
        }
        if (length - ihl < need) {
            return "truncated transport header";
        }
        return null;
    }

    public static int headerLength(byte[] p) {
        return (p[0] & 0x0f) * 4;
    }

    public static int protocol(byte[] p) {
        return p[9] & 0xff;
    }

    public static int source(byte[] p) {
        return i32(p, 12);
    }

    public static int destination(byte[] p) {
        return i32(p, 16);
    }

    /** The source port (TCP, UDP) or the echo identifier (ICMP echo); -1 for other ICMP. */
    public static int sourcePort(byte[] p) {
        int h = headerLength(p);
        return switch (protocol(p)) {
            case TCP, UDP -> u16(p, h);
            case ICMP -> isEcho(p) ? u16(p, h + 4) : -1;
            default -> -1;
        };
    }

    /** The destination port (TCP, UDP) or the echo identifier (ICMP echo); -1 for other ICMP. */
    public static int destinationPort(byte[] p) {
        int h = headerLength(p);
        return switch (protocol(p)) {
            case TCP, UDP -> u16(p, h + 2);
            case ICMP -> isEcho(p) ? u16(p, h + 4) : -1;
            default -> -1;
        };
    }

    private static boolean isEcho(byte[] p) {
        int type = p[headerLength(p)] & 0xff;
        return type == 8 || type == 0;
    }

    public static boolean isEchoRequest(byte[] p) {
        return protocol(p) == ICMP && (p[headerLength(p)] & 0xff) == 8;
    }

    public static void setSource(byte[] p, int address) {
        replaceAddress(p, 12, address);
    }

    public static void setDestination(byte[] p, int address) {
        replaceAddress(p, 16, address);
    }

    /** Replaces an address and updates the header checksum and the TCP/UDP checksum (their pseudo-header holds it). */
    private static void replaceAddress(byte[] p, int at, int address) {
        int old = i32(p, at);
        if (old == address) {
            return;
        }
        put32(p, at, address);
        int oldHigh = old >>> 16;
        int oldLow = old & 0xffff;
        int newHigh = address >>> 16;
        int newLow = address & 0xffff;
        adjust(p, 10, oldHigh, newHigh, oldLow, newLow);
        int transport = transportChecksumAt(p);
        if (transport >= 0) {
            adjust(p, transport, oldHigh, newHigh, oldLow, newLow);
        }
    }

    /** Where the TCP or UDP checksum is (a UDP checksum of 0, "none", stays 0); -1 when there is none to update. */
    private static int transportChecksumAt(byte[] p) {
        int h = headerLength(p);
        return switch (protocol(p)) {
            case TCP -> h + 16;
            case UDP -> u16(p, h + 6) == 0 ? -1 : h + 6;
            default -> -1;
        };
    }

    /** HC' = ~(~HC + ~m + m') for each 16-bit word replaced (RFC 1624, eqn. 3). */
    private static void adjust(byte[] p, int checksumAt, int... oldNewPairs) {
        int sum = ~u16(p, checksumAt) & 0xffff;
        for (int i = 0; i < oldNewPairs.length; i += 4) {
            sum += (~oldNewPairs[i] & 0xffff) + oldNewPairs[i + 1] + (~oldNewPairs[i + 2] & 0xffff) + oldNewPairs[i + 3];
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int result = ~sum & 0xffff;
        if (result == 0 && checksumAt == transportUdpAt(p)) {
            result = 0xffff; // a UDP checksum that comes out 0 is sent as all ones (0 means "none")
        }
        put16(p, checksumAt, result);
    }

    private static int transportUdpAt(byte[] p) {
        return protocol(p) == UDP ? headerLength(p) + 6 : -2;
    }

    /** Replaces the source port (TCP, UDP) or echo identifier (ICMP), with its checksum. */
    public static void setSourcePort(byte[] p, int port) {
        replacePort(p, 0, port);
    }

    public static void setDestinationPort(byte[] p, int port) {
        replacePort(p, 2, port);
    }

    private static void replacePort(byte[] p, int offset, int port) {
        int h = headerLength(p);
        int at;
        int checksum;
        switch (protocol(p)) {
            case TCP -> {
                at = h + offset;
                checksum = h + 16;
            }
            case UDP -> {
                at = h + offset;
                checksum = u16(p, h + 6) == 0 ? -1 : h + 6;
            }
            case ICMP -> {
                at = h + 4; // the identifier is both "ports" of an echo
                checksum = h + 2;
            }
            default -> {
                return;
            }
        }
        int old = u16(p, at);
        put16(p, at, port);
        if (checksum >= 0) {
            adjust(p, checksum, old, port, 0, 0);
        }
    }

    /** The full header checksum, computed (for tests and for packets built here). */
    public static int headerChecksum(byte[] p) {
        int h = headerLength(p);
        int sum = 0;
        for (int i = 0; i < h; i += 2) {
            if (i != 10) {
                sum += u16(p, i);
            }
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    /** The TCP or UDP checksum over the pseudo-header and the segment, computed (for tests). */
    public static int transportChecksum(byte[] p, int length) {
        int h = headerLength(p);
        int at = protocol(p) == TCP ? h + 16 : h + 6;
        long sum = (source(p) >>> 16) + (source(p) & 0xffff) + (destination(p) >>> 16) + (destination(p) & 0xffff)
                + protocol(p) + (length - h);
        for (int i = h; i < length; i += 2) {
            if (i == at) {
                continue;
            }
            int word = (p[i] & 0xff) << 8 | (i + 1 < length ? p[i + 1] & 0xff : 0);
            sum += word;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int result = (int) (~sum & 0xffff);
        return protocol(p) == UDP && result == 0 ? 0xffff : result;
    }

    public static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | (p[at + 1] & 0xff);
    }

    private static int i32(byte[] p, int at) {
        return (p[at] & 0xff) << 24 | (p[at + 1] & 0xff) << 16 | (p[at + 2] & 0xff) << 8 | (p[at + 3] & 0xff);
    }

    private static void put16(byte[] p, int at, int value) {
        p[at] = (byte) (value >>> 8);
        p[at + 1] = (byte) value;
    }

    private static void put32(byte[] p, int at, int value) {
        p[at] = (byte) (value >>> 24);
        p[at + 1] = (byte) (value >>> 16);
        p[at + 2] = (byte) (value >>> 8);
        p[at + 3] = (byte) value;
    }
}
