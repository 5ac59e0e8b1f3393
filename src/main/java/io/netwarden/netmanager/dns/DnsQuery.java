package io.netwarden.netmanager.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One DNS query as the responder reads it (RFC 1035 §4.1), and the answers it writes. Only what a stub resolver sends is
 * taken: a standard query with one question whose name has no compression pointers.
 *
 * <pre>
 *   bytes ─ &lt; 12 ─▶ null (dropped: no id to answer)      ─ QR set (a response) ─▶ null (never answer an answer)
 *         ─ opcode ≠ QUERY ─▶ NOTIMP        ─ QDCOUNT ≠ 1, a label &gt; 63, a pointer, name &gt; 255, short ─▶ FORMERR
 *         ─▶ a query: id, flags, labels, type, class, the question's bytes (echoed in the answer)
 * </pre>
 *
 * Stateless; instances are immutable.
 */
public record DnsQuery(int id, int flags, List<String> labels, int type, int qclass, byte[] question, Rcode problem) {

    public static final int TYPE_A = 1;
    public static final int TYPE_ANY = 255;
    public static final int CLASS_IN = 1;
    public static final int CLASS_ANY = 255;
    private static final int HEADER = 12;
    private static final int MAX_NAME = 255;

    /** Response codes the responder gives. */
    public enum Rcode {
        NOERROR(0), FORMERR(1), SERVFAIL(2), NXDOMAIN(3), NOTIMP(4), REFUSED(5);

        final int code;

        Rcode(int code) {
            this.code = code;
        }
    }

    /** The query in {@code packet[0, length)}; null when it cannot be answered at all. */
    public static DnsQuery parse(byte[] packet, int length) {
        if (length < HEADER) {
            return null;
        }
        int id = u16(packet, 0);
        int flags = u16(packet, 2);
        if ((flags & 0x8000) != 0) {
            return null;
        }
        if (((flags >> 11) & 0xf) != 0) {
            return new DnsQuery(id, flags, List.of(), 0, 0, new byte[0], Rcode.NOTIMP);
        }
        if (u16(packet, 4) != 1) {
            return new DnsQuery(id, flags, List.of(), 0, 0, new byte[0], Rcode.FORMERR);
        }
        List<String> labels = new ArrayList<>();
        int at = HEADER;
        int nameLength = 1;
        while (true) {
            if (at >= length) {
                return formErr(id, flags);
            }
            int label = packet[at] & 0xff;
            at++;
            if (label == 0) {
                break;
            }
            if (label > 63) { // 0xC0: a compression pointer (never in a stub's question), 0x40/0x80: reserved
                return formErr(id, flags);
            }
            nameLength += label + 1;
            if (nameLength > MAX_NAME || at + label > length) {
                return formErr(id, flags);
            }
            labels.add(new String(packet, at, label, StandardCharsets.ISO_8859_1));
            at += label;
        }
        if (at + 4 > length) {
            return formErr(id, flags);
        }
        int type = u16(packet, at);
        int qclass = u16(packet, at + 2);
        byte[] question = java.util.Arrays.copyOfRange(packet, HEADER, at + 4);
        return new DnsQuery(id, flags, List.copyOf(labels), type, qclass, question, null);
    }

    private static DnsQuery formErr(int id, int flags) {
        return new DnsQuery(id, flags, List.of(), 0, 0, new byte[0], Rcode.FORMERR);
    }

    /** The name asked for, labels joined by dots (bytes as ISO-8859-1, so a name never fails to print). */
    public String name() {
        return String.join(".", labels);
    }

    /** An answer without records: the code, and the question echoed when it was read. */
    public byte[] answer(Rcode rcode) {
        return answer(rcode, null, 0);
    }

    /**
     * An answer; with {@code address} (a.b.c.d as an int) one A record for the question's name.
     *
     * @param ttl seconds the answer may be cached
     */
    public byte[] answer(Rcode rcode, Integer address, int ttl) {
        boolean withRecord = address != null && rcode == Rcode.NOERROR;
        byte[] out = new byte[HEADER + question.length + (withRecord ? 16 : 0)];
        put16(out, 0, id);
        // QR, the opcode back, AA (this node is the authority for .local), RD echoed, RA clear: not recursive
        put16(out, 2, 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | rcode.code);
        put16(out, 4, question.length > 0 ? 1 : 0);
        put16(out, 6, withRecord ? 1 : 0);
        System.arraycopy(question, 0, out, HEADER, question.length);
        if (withRecord) {
            int at = HEADER + question.length;
            put16(out, at, 0xc000 | HEADER); // the name: a pointer to the question's
            put16(out, at + 2, TYPE_A);
            put16(out, at + 4, CLASS_IN);
            put16(out, at + 6, ttl >>> 16);
            put16(out, at + 8, ttl & 0xffff);
            put16(out, at + 10, 4);
            put16(out, at + 12, address >>> 16);
            put16(out, at + 14, address & 0xffff);
        }
        return out;
    }

    private static int u16(byte[] p, int at) {
        return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff);
    }

    private static void put16(byte[] p, int at, int value) {
        p[at] = (byte) (value >>> 8);
        p[at + 1] = (byte) value;
    }
}
