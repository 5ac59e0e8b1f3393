package io.netwarden.netmanager.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sealing and opening tunnel packets between two nodes' key stores, and what they refuse. */
class PeerKeysTest {

    private static final InetSocketAddress A = new InetSocketAddress("10.214.1.1", 50103);
    private static final InetSocketAddress B = new InetSocketAddress("10.214.1.2", 50103);
    private final List<InetSocketAddress> askedByA = new ArrayList<>();
    private final List<InetSocketAddress> askedByB = new ArrayList<>();
    private final byte[] pairKey = new byte[32];

    private final byte[] packet = Ipv4TestPackets.udp("10.32.0.5", "10.16.0.9", 4000, 7,
            "the secret payload of the test");

    PeerKeysTest() {
        new java.util.Random(7).nextBytes(pairKey);
    }

    private PeerKeys[] pair(Suite sealA, Suite sealB) {
        PeerKeys a = new PeerKeys(sealA, A, (peer, sending) -> askedByA.add(peer));
        PeerKeys b = new PeerKeys(sealB, B, (peer, sending) -> askedByB.add(peer));
        a.install(B, 42, pairKey.clone());
        b.install(A, 42, pairKey.clone());
        return new PeerKeys[] {a, b};
    }

    private static byte[] sealed(PeerKeys keys, InetSocketAddress to, byte[] packet) {
        byte[] out = new byte[packet.length + PeerKeys.OVERHEAD];
        int n = keys.seal(to, packet, packet.length, out);
        assertEquals(packet.length + PeerKeys.OVERHEAD, n);
        return out;
    }

    private static int open(PeerKeys keys, InetSocketAddress from, byte[] sealed, byte[] out) {
        return keys.open(from, sealed, sealed.length, out);
    }

    @Test
    void aPacketSealedByOneNodeOpensAtTheOtherWithEitherCipher() {
        for (Suite suite : Suite.values()) {
            PeerKeys[] nodes = pair(suite, suite == Suite.AES_GCM ? Suite.CHACHA20_POLY1305 : Suite.AES_GCM);
            byte[] wire = sealed(nodes[0], B, packet);
            assertEquals(suite.id, wire[0], "the cipher is named in the first byte");
            assertFalse(new String(wire, StandardCharsets.ISO_8859_1).contains("secret payload"), "no plaintext on the wire");
            byte[] out = new byte[packet.length];
            assertEquals(packet.length, open(nodes[1], A, wire, out));
            assertArrayEquals(packet, out);
            // and back, sealed with the other node's cipher
            byte[] answer = sealed(nodes[1], A, packet);
            assertEquals(packet.length, open(nodes[0], B, answer, out));
            assertArrayEquals(packet, out);
        }
    }

    @Test
    void aReplayedPacketIsRefusedAndOutOfOrderOnesInTheWindowAreNot() {
        PeerKeys[] nodes = pair(Suite.AES_GCM, Suite.AES_GCM);
        List<byte[]> wires = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            wires.add(sealed(nodes[0], B, packet));
        }
        byte[] out = new byte[packet.length];
        assertEquals(packet.length, open(nodes[1], A, wires.get(4), out));
        assertEquals(packet.length, open(nodes[1], A, wires.get(1), out), "late, but inside the window");
        assertEquals(PeerKeys.Refusal.REPLAYED, PeerKeys.Refusal.of(open(nodes[1], A, wires.get(4), out)));
        assertEquals(PeerKeys.Refusal.REPLAYED, PeerKeys.Refusal.of(open(nodes[1], A, wires.get(1), out)));
        assertEquals(packet.length, open(nodes[1], A, wires.get(0), out));
        for (int i = 0; i < ReplayWindow.WINDOW + 10; i++) {
            sealed(nodes[0], B, packet);
        }
        byte[] newest = sealed(nodes[0], B, packet);
        assertEquals(packet.length, open(nodes[1], A, newest, out));
        assertEquals(PeerKeys.Refusal.TOO_OLD, PeerKeys.Refusal.of(open(nodes[1], A, wires.get(2), out)));
    }

    @Test
    void aChangedByteAWrongKeyOrTheWrongDirectionDoNotOpen() {
        PeerKeys[] nodes = pair(Suite.CHACHA20_POLY1305, Suite.AES_GCM);
        byte[] out = new byte[packet.length];
        for (int at : new int[] {5, 12, 20, 40}) { // the counter, the last header byte, the ciphertext, the tag
            byte[] wire = sealed(nodes[0], B, packet);
            wire[at] ^= 1;
            int result = open(nodes[1], A, wire, out);
            assertTrue(result < 0, "byte " + at + " changed: " + result);
        }
        byte[] wire = sealed(nodes[0], B, packet);
        // reflected back to its sender as if from the peer: the direction keys differ
        assertEquals(PeerKeys.Refusal.FORGED, PeerKeys.Refusal.of(open(nodes[0], B, wire, out)));
        // from an address that holds no key: refused, and the cluster asked (on the budget of received packets)
        InetSocketAddress stranger = new InetSocketAddress("10.214.1.9", 50103);
        assertEquals(PeerKeys.Refusal.UNKNOWN_KEY, PeerKeys.Refusal.of(open(nodes[1], stranger, wire, out)));
        assertEquals(List.of(stranger), askedByB);
        // the same pair with another key id
        byte[] other = pairKey.clone();
        other[0] ^= 1;
        PeerKeys c = new PeerKeys(Suite.AES_GCM, A, (peer, sending) -> {
        });
        c.install(B, 43, other);
        assertEquals(PeerKeys.Refusal.UNKNOWN_KEY, PeerKeys.Refusal.of(open(nodes[1], A, sealed(c, B, packet), out)));
        c.install(B, 42, other);
        assertEquals(PeerKeys.Refusal.FORGED, PeerKeys.Refusal.of(open(nodes[1], A, sealed(c, B, packet), out)),
                "key id 42 with other bytes");
        // plaintext, short, unknown cipher
        assertEquals(PeerKeys.Refusal.NOT_SEALED, PeerKeys.Refusal.of(nodes[1].open(A, packet, packet.length, out)));
        assertEquals(PeerKeys.Refusal.MALFORMED, PeerKeys.Refusal.of(nodes[1].open(A, wire, 20, out)));
        // and the genuine one still opens after all that
        assertEquals(packet.length, open(nodes[1], A, wire, out));
    }

    @Test
    void withoutAKeyNothingIsSealedAndTheClusterIsAsked() {
        List<String> asks = new ArrayList<>();
        PeerKeys a = new PeerKeys(Suite.AES_GCM, A, (peer, sending) -> asks.add(peer + (sending ? " to send" : " received")));
        byte[] out = new byte[packet.length + PeerKeys.OVERHEAD];
        assertEquals(PeerKeys.Refusal.NO_KEY, PeerKeys.Refusal.of(a.seal(B, packet, packet.length, out)));
        byte[] sealedByB = new byte[packet.length + PeerKeys.OVERHEAD];
        PeerKeys b = new PeerKeys(Suite.AES_GCM, B, (peer, sending) -> {
        });
        b.install(A, 5, pairKey.clone());
        b.seal(A, packet, packet.length, sealedByB);
        assertEquals(PeerKeys.Refusal.UNKNOWN_KEY, PeerKeys.Refusal.of(a.open(B, sealedByB, sealedByB.length, new byte[2000])));
        assertEquals(List.of(B + " to send", B + " received"), asks, "each on its own budget");
        assertTrue(Arrays.equals(new byte[out.length], out), "nothing written");
        assertFalse(a.has(B));
    }

    @Test
    void aNewKeySealsWhileTheLastFewStillOpenAndAResentKeyKeepsItsCounter() {
        PeerKeys[] nodes = pair(Suite.AES_GCM, Suite.AES_GCM);
        byte[] out = new byte[packet.length];
        byte[] underOld = sealed(nodes[0], B, packet);
        byte[] next = pairKey.clone();
        next[1] ^= 1;
        nodes[0].install(B, 77, next.clone());
        nodes[1].install(A, 77, next.clone());
        byte[] underNew = sealed(nodes[0], B, packet);
        assertEquals(packet.length, open(nodes[1], A, underNew, out));
        assertEquals(packet.length, open(nodes[1], A, underOld, out), "in flight when the key changed");
        // the cluster sends key 77 again: the counter goes on, so no nonce is used twice
        nodes[0].install(B, 77, next.clone());
        assertEquals(packet.length, open(nodes[1], A, sealed(nodes[0], B, packet), out));
        for (int id = 100; id < 100 + PeerKeys.KEPT; id++) {
            nodes[1].install(A, id, next.clone());
        }
        assertEquals(PeerKeys.Refusal.UNKNOWN_KEY, PeerKeys.Refusal.of(open(nodes[1], A, underOld, out)),
                "only the last " + PeerKeys.KEPT + " keys are kept");
    }

    @Test
    void keysForMoreThanTheMostPeersAreRefused() {
        PeerKeys a = new PeerKeys(Suite.AES_GCM, A, (peer, sending) -> askedByA.add(peer));
        for (int i = 0; i < PeerKeys.MAX_PEERS; i++) {
            assertTrue(a.install(new InetSocketAddress("10.215." + (i / 250) + "." + (i % 250 + 1), 50103), 1, pairKey.clone()));
        }
        assertFalse(a.install(B, 1, pairKey.clone()), "one peer more");
        assertFalse(a.has(B));
        assertTrue(a.install(new InetSocketAddress("10.215.0.1", 50103), 2, pairKey.clone()), "a known peer's new key");
    }
}
