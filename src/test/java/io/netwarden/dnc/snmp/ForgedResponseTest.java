package io.netwarden.dnc.snmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.auth.Secret;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's SNMP socket takes a response only from the address and port its request went to, and request ids cannot
 * be guessed from earlier ones. An attacker here is a UDP socket on loopback that sees the request (as anyone on the
 * path would) and answers it with the right request id and community from elsewhere.
 */
class ForgedResponseTest {

    private static Snmp4jClient client;

    @BeforeAll
    static void open() throws Exception {
        client = new Snmp4jClient();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static SnmpTarget target(int port) {
        return new SnmpTarget("127.0.0.1", port, SnmpVersion.V2C, Secret.of("public"), null, null, null, null, null,
                Duration.ofMillis(400), 1, 25);
    }

    @Test
    void theAgentsOwnAnswerIsTaken() throws Exception {
        // Given: an agent that answers every request itself (the control: the forged packets below are well formed)
        try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread answering = Thread.ofVirtual().start(() -> answerRequests(agent, agent, 1));

            // When
            List<Varbind> result = client.get(target(agent.getLocalPort()), List.of(Oid.of("1.3.6.1.2.1.1.5.0")));

            // Then
            answering.join(2000);
            assertEquals("1.3.6.1.2.1.1.5.0", result.get(0).oid());
            assertEquals("Null", result.get(0).type());
        }
    }

    @Test
    void anAnswerFromAnotherPortIsIgnored() throws Exception {
        // Given: a silent agent, and a forger on the same address but another port that answers every request it sees
        try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket forger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            assertForgeryIgnored(agent, forger);
        }
    }

    @Test
    void anAnswerFromAnotherAddressIsIgnored() throws Exception {
        try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket forger = new DatagramSocket(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}),
                        agent.getLocalPort()))) {
            assertForgeryIgnored(agent, forger);
        }
    }

    @Test
    void requestIdsDoNotCountUp() throws Exception {
        // Given
        try (DatagramSocket agent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            List<Integer> ids = new ArrayList<>();
            Thread answering = Thread.ofVirtual().start(() -> ids.addAll(answerRequests(agent, agent, 6)));

            // When
            for (int i = 0; i < 6; i++) {
                client.get(target(agent.getLocalPort()), List.of(Oid.of("1.3.6.1.2.1.1.5.0")));
            }

            // Then
            answering.join(2000);
            assertEquals(6, ids.size(), "requests seen: " + ids);
            int steps = 0;
            for (int i = 1; i < ids.size(); i++) {
                steps += Math.abs((long) ids.get(i) - ids.get(i - 1)) <= 16 ? 1 : 0;
            }
            assertEquals(0, steps, "request ids follow each other: " + ids);
        }
    }

    private static void assertForgeryIgnored(DatagramSocket agent, DatagramSocket forger) throws Exception {
        AtomicInteger forged = new AtomicInteger();
        Thread forging = Thread.ofVirtual().start(() -> forged.set(answerRequests(agent, forger, 2).size()));

        // When: the request and its retry are both answered by the forger
        SnmpException e = assertThrows(SnmpException.class,
                () -> client.get(target(agent.getLocalPort()), List.of(Oid.of("1.3.6.1.2.1.1.5.0"))));

        // Then
        forging.join(2000);
        assertEquals(2, forged.get(), "the forger answered the request and its retry");
        assertEquals("timed_out", e.code(), e.getMessage());
    }

    /**
     * Receives up to {@code count} requests on {@code agent} and answers each from {@code answerer} with the same packet
     * turned into a response (same request id and community, values Null). Returns the request ids seen.
     */
    private static List<Integer> answerRequests(DatagramSocket agent, DatagramSocket answerer, int count) {
        List<Integer> ids = new ArrayList<>();
        try {
            agent.setSoTimeout(3000);
            for (int i = 0; i < count; i++) {
                DatagramPacket request = new DatagramPacket(new byte[65535], 65535);
                agent.receive(request);
                byte[] packet = Arrays.copyOf(request.getData(), request.getLength());
                int pdu = pduTagIndex(packet);
                ids.add(requestId(packet, pdu));
                packet[pdu] = (byte) 0xA2; // GetResponse
                answerer.send(new DatagramPacket(packet, packet.length, request.getSocketAddress()));
            }
        } catch (SocketTimeoutException done) {
            // fewer requests came than expected; the caller's assertions say so
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** Index of the PDU's tag in an SNMPv1/v2c message: SEQUENCE { INTEGER version, OCTET STRING community, PDU }. */
    private static int pduTagIndex(byte[] m) {
        int i = skipHeader(m, 0); // into the message SEQUENCE
        i = skipElement(m, i); // version
        i = skipElement(m, i); // community
        assertTrue((m[i] & 0xFF) >= 0xA0 && (m[i] & 0xFF) <= 0xA8, "a PDU tag");
        return i;
    }

    private static int requestId(byte[] m, int pduTag) {
        int i = skipHeader(m, pduTag);
        assertEquals(0x02, m[i], "request-id is an INTEGER");
        int length = m[i + 1];
        int value = 0;
        for (int k = 0; k < length; k++) {
            value = (value << 8) | (m[i + 2 + k] & 0xFF);
        }
        assertFalse(length > 4);
        return value;
    }

    /** Index of the content of the element at {@code i}. */
    private static int skipHeader(byte[] m, int i) {
        int first = m[i + 1] & 0xFF;
        return first < 0x80 ? i + 2 : i + 2 + (first & 0x7F);
    }

    /** Index just after the element at {@code i}. */
    private static int skipElement(byte[] m, int i) {
        int first = m[i + 1] & 0xFF;
        if (first < 0x80) {
            return i + 2 + first;
        }
        int n = first & 0x7F;
        int length = 0;
        for (int k = 0; k < n; k++) {
            length = (length << 8) | (m[i + 2 + k] & 0xFF);
        }
        return i + 2 + n + length;
    }
}
