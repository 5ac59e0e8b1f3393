package io.netwarden.netmanager.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.ipam.NodeSubnets;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import io.netwarden.platform.messaging.mqtt.MqttSettings;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.RawMqtt;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's tunnel keys over the test environment's Mosquitto, with plain MQTT clients as two nodes whose instances
 * the cluster knows: a pair key sent to both, asked again too soon, and the requests it refuses.
 */
@QuarkusTest
class TunnelKeyIssuerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ActiveDatabase database;

    @Inject
    Vertx vertx;

    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private final String service = "key" + unique + ".ns.web.default";
    private final String one = "kone" + unique;
    private final String two = "ktwo" + unique;
    private final int net = 1 + new java.util.Random().nextInt(250);
    private final String addressOne = "10.98." + net + ".1";
    private final String addressTwo = "10.98." + net + ".2";
    private MqttLink link;
    private NodeSubnets subnets;
    private TunnelKeyIssuer issuer;
    private RawMqtt nodeOne;
    private RawMqtt nodeTwo;

    @BeforeEach
    void cluster() throws Exception {
        subnets = new NodeSubnets(database.dataSource(), Ipv4Net.parse("10.16.0.0/12"), List.of());
        link = new MqttLink(vertx, MqttSettings.of(TestEnv.mqttUrl(), "nwtest-keys-" + unique, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 65536));
        ServiceTable table = new ServiceTable(database.dataSource(), Ipv4Net.parse("10.32.0.0/16"));
        new TableRequests(table, subnets, link).start();
        issuer = new TunnelKeyIssuer(table, link);
        issuer.start();
        AtomicInteger connected = new AtomicInteger();
        link.onConnected(connected::incrementAndGet);
        link.start();
        Deadline.await("cluster subscribed", Duration.ofSeconds(10), connected::get, n -> n >= 1);
        nodeOne = new RawMqtt(vertx, "nwtest-" + one).subscribe("nodes/" + one + "/net/tunnel/key");
        nodeTwo = new RawMqtt(vertx, "nwtest-" + two).subscribe("nodes/" + two + "/net/tunnel/key");
        int instance = 0;
        for (String[] node : new String[][] {{one, addressOne}, {two, addressTwo}}) {
            String nsIp = Ipv4Net.format(subnets.allocate(node[0]).subnet().host(2));
            (node[0].equals(one) ? nodeOne : nodeTwo).publish("nodes/" + node[0] + "/net/service/deployed",
                    JSON.writeValueAsString(Map.of("appname", service, "status", "DEPLOYED", "instance_number", instance++,
                            "nsip", nsIp, "host_ip", node[1], "host_port", 50103)));
        }
        Deadline.await("both instances in the table", Duration.ofSeconds(10), () -> table.instances(service).size(),
                n -> n == 2);
    }

    @AfterEach
    void stop() throws Exception {
        link.close();
        nodeOne.close();
        nodeTwo.close();
        io.netwarden.testing.NetmanagerRows.forgetService(database.dataSource(), service);
        subnets.release(one);
        subnets.release(two);
    }

    private static String request(String host, Object hostPort, String peer, Object peerPort) throws Exception {
        return JSON.writeValueAsString(Map.of("host_ip", host, "host_port", hostPort, "peer_ip", peer, "peer_port",
                peerPort));
    }

    @Test
    void aPairKeyGoesToBothNodesEachToldTheOthersAddress() throws Exception {
        nodeTwo.publish("nodes/" + two + "/net/tunnel/key/request", request(addressTwo, 50103, addressOne, 50103));
        RawMqtt.Message toTwo = nodeTwo.next(10_000);
        RawMqtt.Message toOne = nodeOne.next(10_000);
        assertNotNull(toTwo, "the asking node gets its key");
        assertNotNull(toOne, "the peer gets the same key");
        JsonNode a = JSON.readTree(toTwo.payload());
        JsonNode b = JSON.readTree(toOne.payload());
        assertEquals(addressOne, a.get("peer_ip").asText());
        assertEquals(one, a.get("peer").asText());
        assertEquals(addressTwo, b.get("peer_ip").asText());
        assertEquals(two, b.get("peer").asText());
        assertEquals(50103, b.get("peer_port").asInt());
        assertEquals(a.get("key_id").asInt(), b.get("key_id").asInt());
        assertEquals(a.get("key").asText(), b.get("key").asText());
        assertEquals(32, Base64.getDecoder().decode(a.get("key").asText()).length);

        // asked again at once (both nodes at the same time): no second key
        nodeOne.publish("nodes/" + one + "/net/tunnel/key/request", request(addressOne, 50103, addressTwo, 50103));
        assertNull(nodeOne.next(1_500), "a pair is keyed at most once a second");
        JsonNode again = JSON.readTree(Deadline.await("a new key once the second is over", Duration.ofSeconds(10), () -> {
            nodeOne.publish("nodes/" + one + "/net/tunnel/key/request", request(addressOne, 50103, addressTwo, 50103));
            return nodeOne.next(500);
        }, m -> m != null).payload());
        assertTrue(again.get("key_id").asInt() != a.get("key_id").asInt() || !again.get("key").asText().equals(
                a.get("key").asText()), "a new key, not the old one");
        assertEquals(2, issuer.issued());
    }

    @Test
    void aNodeClaimingAnotherNodesAddressOrAnUnknownPeerGetsAnErrorAndNoKey() throws Exception {
        // node one claims node two's tunnel address to get the key of the pair (two, two)
        nodeOne.publish("nodes/" + one + "/net/tunnel/key/request", request(addressTwo, 50103, addressOne, 50103));
        JsonNode error = JSON.readTree(nodeOne.next(10_000).payload());
        assertEquals("the tunnel address " + addressTwo + ":50103 is that of [" + two + "], not of node " + one,
                error.get("error").asText());
        assertTrue(!error.has("key"));
        // a peer nobody reports
        nodeOne.publish("nodes/" + one + "/net/tunnel/key/request", request(addressOne, 50103, "10.98." + net + ".77",
                50103));
        error = JSON.readTree(nodeOne.next(10_000).payload());
        assertTrue(error.get("error").asText().startsWith("no node reports instances at"), error.toString());
        // itself
        nodeOne.publish("nodes/" + one + "/net/tunnel/key/request", request(addressOne, 50103, addressOne, 50103));
        assertEquals("the peer is the node itself", JSON.readTree(nodeOne.next(10_000).payload()).get("error").asText());
        // malformed: dropped without an answer
        for (String bad : List.of("{", "[]", request("10.0.0.01", 50103, addressTwo, 50103),
                request(addressOne, "50103", addressTwo, 50103), request(addressOne, 70000, addressTwo, 50103),
                "{\"host_ip\":\"" + addressOne + "\"}")) {
            nodeOne.publish("nodes/" + one + "/net/tunnel/key/request", bad);
        }
        assertNull(nodeOne.next(1_500), "no answer to a malformed request");
        assertNull(nodeTwo.next(100), "node two was never sent a key");
        assertEquals(0, issuer.issued());
    }
}
