package io.netwarden.dnc.snmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.auth.Secret;
import io.netwarden.testing.TestEnv;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SNMP client against net-snmp's snmpd from scripts/test-env.sh, compared with net-snmp's own tools. */
class Snmp4jClientTest {

    private static final String HOST = TestEnv.snmp().substring(0, TestEnv.snmp().lastIndexOf(':'));
    private static final int PORT = Integer.parseInt(TestEnv.snmp().substring(TestEnv.snmp().lastIndexOf(':') + 1));
    /** Types whose values move between two walks. */
    private static final Set<String> MOVING = Set.of("Counter32", "Counter64", "Gauge32", "TimeTicks", "Opaque");
    /**
     * net-snmp's own cache table (NET-SNMP-AGENT-MIB nsCacheTable): a cache's status goes cached → expired → cached on
     * its timer, so it can differ during our walk and be back by the time of the second net-snmp walk.
     */
    private static final String NS_CACHE_TABLE = "1.3.6.1.4.1.8072.1.5.3.";

    private static Snmp4jClient client;

    @BeforeAll
    static void open() throws Exception {
        client = new Snmp4jClient();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    static SnmpTarget v2c(String community, int port) {
        return new SnmpTarget(HOST, port, SnmpVersion.V2C, Secret.of(community), null, null, null, null, null,
                Duration.ofMillis(500), 1, 25);
    }

    static SnmpTarget v3(String auth, String priv) {
        return new SnmpTarget(HOST, PORT, SnmpVersion.V3, null, TestEnv.snmpV3User(), "SHA-256", Secret.of(auth), "AES",
                Secret.of(priv), Duration.ofMillis(1000), 1, 25);
    }

    @Test
    void bulkWalkOfTheWholeAgentMatchesSnmpbulkwalk() throws Exception {
        List<String> netSnmp = List.of("snmpbulkwalk", "-v2c", "-c", TestEnv.snmpCommunity(), "-On", "-Oe", "-OU",
                TestEnv.snmp(), "1.3.6.1");

        // Given: net-snmp's walk before and after ours, to tell moving values from fixed ones
        Map<String, NetSnmpOutput.Entry> before = NetSnmpOutput.run(netSnmp);

        // When
        List<Varbind> ours = client.bulkWalk(v2c(TestEnv.snmpCommunity(), PORT), Oid.of("1.3.6.1"));
        Map<String, NetSnmpOutput.Entry> after = NetSnmpOutput.run(netSnmp);

        // Then: exactly the same OIDs, in the same order
        assertEquals(new ArrayList<>(before.keySet()), ours.stream().map(Varbind::oid).toList());
        assertEquals(before.keySet(), after.keySet(), "the test view must not contain rows that come and go");
        assertTrue(ours.size() > 1000, "a whole agent, not a corner of it: " + ours.size());
        int comparedByValue = 0;
        for (Varbind vb : ours) {
            NetSnmpOutput.Entry expected = before.get(vb.oid());
            assertEquals(expected.type(), vb.type(), "type of " + vb.oid());
            boolean moving = MOVING.contains(vb.type()) || vb.oid().startsWith(NS_CACHE_TABLE)
                    || !expected.equals(after.get(vb.oid()));
            if (!moving) {
                String value = vb.type().equals("OctetString") ? NetSnmpOutput.bytesOf(vb) : vb.value();
                assertEquals(expected.value(), value, "value of " + vb.oid());
                comparedByValue++;
            }
        }
        assertTrue(comparedByValue > ours.size() / 2, "most values are compared exactly: " + comparedByValue);
    }

    @Test
    void walkAndBulkWalkAgreeAndStopAtTheEndOfTheSubtree() throws Exception {
        SnmpTarget target = v2c(TestEnv.snmpCommunity(), PORT);
        List<Varbind> walk = client.walk(target, Oid.of("1.3.6.1.2.1.1"));
        List<Varbind> bulk = client.bulkWalk(target, Oid.of(".1.3.6.1.2.1.1"));
        assertEquals(walk.stream().map(Varbind::oid).toList(), bulk.stream().map(Varbind::oid).toList());
        assertTrue(walk.stream().allMatch(vb -> vb.oid().startsWith("1.3.6.1.2.1.1.")), "nothing outside the subtree");
        assertEquals("netwarden-test", walk.stream().filter(vb -> vb.oid().equals("1.3.6.1.2.1.1.6.0")).findFirst().orElseThrow().value());
    }

    @Test
    void walkOfALeafReturnsTheLeafItself() throws Exception {
        List<Varbind> leaf = client.walk(v2c(TestEnv.snmpCommunity(), PORT), Oid.of("1.3.6.1.2.1.1.6.0"));
        assertEquals(List.of(new Varbind("1.3.6.1.2.1.1.6.0", "OctetString", "netwarden-test")), leaf);
    }

    @Test
    void getReturnsTypedValuesAndMarksMissingOnes() throws Exception {
        List<Varbind> got = client.get(v2c(TestEnv.snmpCommunity(), PORT),
                List.of(Oid.of("1.3.6.1.2.1.1.6.0"), Oid.of("1.3.6.1.2.1.1.3.0"), Oid.of("1.3.6.1.2.1.1.2.0"),
                        Oid.of("1.3.6.1.2.1.1.99.0"), Oid.of("1.3.6.1.2.1.1.6.1")));
        assertEquals(new Varbind("1.3.6.1.2.1.1.6.0", "OctetString", "netwarden-test"), got.get(0));
        assertEquals("TimeTicks", got.get(1).type());
        assertEquals(new Varbind("1.3.6.1.2.1.1.2.0", "OID", "1.3.6.1.4.1.8072.3.2.10"), got.get(2));
        assertEquals("noSuchObject", got.get(3).type());
        assertEquals("noSuchInstance", got.get(4).type());
    }

    @Test
    void getBulkReturnsMaxRepetitionsSuccessors() throws Exception {
        List<Varbind> got = client.getBulk(v2c(TestEnv.snmpCommunity(), PORT), List.of(Oid.of("1.3.6.1.2.1.2.2.1.1")));
        assertEquals(25, got.size());
        assertEquals("1.3.6.1.2.1.2.2.1.1.1", got.getFirst().oid());
    }

    @Test
    void snmpV3AuthPrivWorksAndMatchesSnmpget() throws Exception {
        List<Varbind> ours = client.get(v3(TestEnv.snmpV3Auth(), TestEnv.snmpV3Priv()), List.of(Oid.of("1.3.6.1.2.1.1.5.0")));
        Map<String, NetSnmpOutput.Entry> theirs = NetSnmpOutput.run(List.of("snmpget", "-v3", "-l", "authPriv", "-u",
                TestEnv.snmpV3User(), "-a", "SHA-256", "-A", TestEnv.snmpV3Auth(), "-x", "AES", "-X", TestEnv.snmpV3Priv(),
                "-On", TestEnv.snmp(), "1.3.6.1.2.1.1.5.0"));
        assertEquals(theirs.get("1.3.6.1.2.1.1.5.0").value(), ours.getFirst().value());
        assertTrue(client.bulkWalk(v3(TestEnv.snmpV3Auth(), TestEnv.snmpV3Priv()), Oid.of("1.3.6.1.2.1.1")).size() > 5);
    }

    @Test
    void wrongV3PasswordIsAnAuthFailure() {
        var e = assertThrows(SnmpException.class,
                () -> client.get(v3("wrong-auth-pass", TestEnv.snmpV3Priv()), List.of(Oid.of("1.3.6.1.2.1.1.5.0"))));
        assertEquals("auth_failed", e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("wrong authentication password"), e.getMessage());
    }

    @Test
    void wrongCommunityAndClosedPortTimeOutClearly() throws Exception {
        var wrong = assertThrows(SnmpException.class,
                () -> client.get(v2c("not-the-community", PORT), List.of(Oid.of("1.3.6.1.2.1.1.5.0"))));
        assertEquals("timed_out", wrong.code());
        assertTrue(wrong.getMessage().contains("no response from " + HOST + ":" + PORT), wrong.getMessage());

        var closed = assertThrows(SnmpException.class,
                () -> client.get(v2c("public", TestEnv.freePort()), List.of(Oid.of("1.3.6.1.2.1.1.5.0"))));
        assertEquals("timed_out", closed.code());

        // and the client keeps serving
        assertEquals("netwarden-test", client.get(v2c(TestEnv.snmpCommunity(), PORT), List.of(Oid.of("1.3.6.1.2.1.1.6.0"))).getFirst().value());
    }

    @Test
    void aResponderSendingGarbageBerFailsThatRequestOnly() throws Exception {
        // Given: a UDP responder that answers every packet with bytes that are not BER
        try (DatagramSocket garbage = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread responder = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[2048];
                while (!garbage.isClosed()) {
                    try {
                        DatagramPacket in = new DatagramPacket(buf, buf.length);
                        garbage.receive(in);
                        byte[] junk = {0x30, (byte) 0x84, 0x7f, 0x7f, 0x7f, 0x7f, 0x02, 0x01};
                        garbage.send(new DatagramPacket(junk, junk.length, in.getSocketAddress()));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });

            // When
            var e = assertThrows(SnmpException.class,
                    () -> client.get(v2c("public", garbage.getLocalPort()), List.of(Oid.of("1.3.6.1.2.1.1.5.0"))));

            // Then
            assertEquals("bad_response", e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("not valid SNMP"), e.getMessage());
            garbage.close();
            responder.join(1000);
        }
        assertEquals("netwarden-test", client.get(v2c(TestEnv.snmpCommunity(), PORT), List.of(Oid.of("1.3.6.1.2.1.1.6.0"))).getFirst().value());
    }

    @Test
    void malformedOidsAndTargetsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Oid.of("1.3.x"));
        assertThrows(IllegalArgumentException.class, () -> Oid.of("1"));
        assertThrows(IllegalArgumentException.class, () -> Oid.of("1.3.99999999999"));
        assertEquals("1.3.6", Oid.of(".1.3.6").dotted());
        assertTrue(Oid.of("1.3.6.1.10").compareTo(Oid.of("1.3.6.1.9")) > 0);
        var e = assertThrows(IllegalArgumentException.class, () -> new SnmpTarget(HOST, PORT, SnmpVersion.V3, null, "u",
                "SHA", Secret.of("short"), null, null, Duration.ofSeconds(1), 0, 10));
        assertTrue(e.getMessage().contains("at least 8"), e.getMessage());
    }

    @Test
    void octetStringsAreTextWhenPrintableElseHex() {
        assertEquals("eth0", Snmp4jClient.octets("eth0".getBytes()));
        assertEquals("Zürich", Snmp4jClient.octets("Zürich".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("0x5ec93ecc6349", Snmp4jClient.octets(new byte[] {0x5e, (byte) 0xc9, 0x3e, (byte) 0xcc, 0x63, 0x49}));
        assertEquals("0x6100", Snmp4jClient.octets(new byte[] {'a', 0}));
    }
}
