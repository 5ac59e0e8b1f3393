package io.netwarden.netmanager.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading DNS queries as a stub resolver sends them, refusing what is not one, and writing the answers. */
class DnsQueryTest {

    /** A query as glibc's resolver sends it: id, RD, one question. */
    static byte[] query(int id, int flags, int questions, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, (byte) (flags >> 8), (byte) flags, 0, (byte) questions, 0, 0,
            0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        out.write(0);
        out.writeBytes(new byte[] {(byte) (type >> 8), (byte) type, 0, 1});
        return out.toByteArray();
    }

    @Test
    void aQueryIsReadAndAnsweredWithOneARecord() {
        byte[] packet = query(0xbeef, 0x0100, 1, "web.default.shop.prod.local", 1);
        DnsQuery query = DnsQuery.parse(packet, packet.length);
        assertNull(query.problem());
        assertEquals(List.of("web", "default", "shop", "prod", "local"), query.labels());
        assertEquals(1, query.type());
        assertEquals(Optional.of("shop.prod.web.default"), LocalNames.serviceOf(query.labels()));
        assertEquals("web.default.shop.prod.local", LocalNames.nameOf("shop.prod.web.default"));

        byte[] answer = query.answer(DnsQuery.Rcode.NOERROR, io.netwarden.netmanager.ipam.Ipv4Net.address("10.32.0.7"), 30);
        assertEquals(packet.length + 16, answer.length);
        assertEquals((byte) 0xbe, answer[0]);
        assertEquals((byte) 0xef, answer[1]);
        assertEquals((byte) 0x85, answer[2], "QR, AA, RD echoed");
        assertEquals(0x00, answer[3], "RA clear, NOERROR");
        assertArrayEquals(new byte[] {0, 1, 0, 1, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(answer, 4, 12));
        assertArrayEquals(java.util.Arrays.copyOfRange(packet, 12, packet.length),
                java.util.Arrays.copyOfRange(answer, 12, packet.length), "the question echoed");
        assertArrayEquals(new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 32, 0, 7},
                java.util.Arrays.copyOfRange(answer, packet.length, answer.length));

        byte[] none = query.answer(DnsQuery.Rcode.NXDOMAIN, 1, 30);
        assertEquals(packet.length, none.length, "no record with an error code");
        assertEquals(3, none[3] & 0xf);
        assertEquals(0, none[7]);
    }

    @Test
    void whatIsNotAStandardQueryIsDroppedOrAnsweredWithItsError() {
        assertNull(DnsQuery.parse(new byte[11], 11), "shorter than a header");
        byte[] response = query(1, 0x8100, 1, "a.local", 1);
        assertNull(DnsQuery.parse(response, response.length), "a response is never answered");
        byte[] notify = query(1, 0x2000, 1, "a.local", 1); // opcode 4 (NOTIFY)
        assertEquals(DnsQuery.Rcode.NOTIMP, DnsQuery.parse(notify, notify.length).problem());
        byte[] two = query(1, 0x0100, 2, "a.local", 1);
        assertEquals(DnsQuery.Rcode.FORMERR, DnsQuery.parse(two, two.length).problem());
        byte[] good = query(1, 0x0100, 1, "web.default.shop.prod.local", 1);
        assertEquals(DnsQuery.Rcode.FORMERR, DnsQuery.parse(good, good.length - 1).problem(), "the class cut off");
        assertEquals(DnsQuery.Rcode.FORMERR, DnsQuery.parse(good, 16).problem(), "a label running past the end");
        byte[] pointer = good.clone();
        pointer[12] = (byte) 0xc0;
        pointer[13] = 12; // a compression pointer to itself
        assertEquals(DnsQuery.Rcode.FORMERR, DnsQuery.parse(pointer, pointer.length).problem());
        byte[] longName = query(1, 0x0100, 1, (("x".repeat(63) + ".").repeat(4) + "local"), 1);
        assertEquals(DnsQuery.Rcode.FORMERR, DnsQuery.parse(longName, longName.length).problem(), "over 255 bytes");
        DnsQuery bad = DnsQuery.parse(two, two.length);
        byte[] formErr = bad.answer(bad.problem());
        assertEquals(12, formErr.length, "no question echoed when it was not read");
        assertEquals(1, formErr[3] & 0xf);
        assertEquals(0, formErr[5]);
    }

    @Test
    void onlyFiveLabelsUnderLocalWithValidPartsNameAService() {
        assertEquals(Optional.empty(), LocalNames.serviceOf(List.of("web", "default", "shop", "local")));
        assertEquals(Optional.empty(), LocalNames.serviceOf(List.of("web", "default", "shop", "prod", "com")));
        assertEquals(Optional.empty(), LocalNames.serviceOf(List.of("we b", "default", "shop", "prod", "local")));
        assertEquals(Optional.empty(), LocalNames.serviceOf(List.of("x".repeat(31), "default", "shop", "prod", "local")));
        assertEquals(Optional.of("shop.prod.web.default"), LocalNames.serviceOf(List.of("WEB", "default", "Shop", "prod",
                "LOCAL")), "case-insensitive, as DNS names are");
    }
}
