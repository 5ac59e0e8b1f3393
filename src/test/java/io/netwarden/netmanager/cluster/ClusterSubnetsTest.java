package io.netwarden.netmanager.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster side handing out node subnets over the test environment's Mosquitto, with a plain MQTT client in the
 * role of an Oakestra node: its topics and JSON, kept across restarts, bad requests dropped.
 */
@QuarkusTest
class ClusterSubnetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ActiveDatabase database;

    @Inject
    Vertx vertx;

    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    /** Each test its own small pool, far from the others', so that they do not share subnets. */
    private Ipv4Net pool;
    private MqttLink link;
    private SubnetRequests requests;
    private RawMqtt node;

    @BeforeEach
    void cluster() throws Exception {
        pool = Ipv4Net.parse("10." + (16 + Math.floorMod(unique.hashCode(), 15)) + "." + Math.floorMod(unique.hashCode() >> 8, 64) * 4 + ".0/22");
        node = new RawMqtt(vertx, "nwtest-node-" + unique);
        node.subscribe("nodes/+/net/subnetwork/result");
        start();
    }

    private void start() {
        NodeSubnets subnets = new NodeSubnets(database.dataSource(), pool, List.of());
        link = new MqttLink(vertx, MqttSettings.of(TestEnv.mqttUrl(), "nwtest-cluster-" + unique, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 4096));
        requests = new SubnetRequests(subnets, link);
        requests.start();
        AtomicInteger connected = new AtomicInteger();
        link.onConnected(connected::incrementAndGet);
        link.start();
        Deadline.await("cluster subscribed", Duration.ofSeconds(10), connected::get, n -> n >= 1);
    }

    @AfterEach
    void stop() throws Exception {
        link.close();
        node.close();
        new NodeSubnets(database.dataSource(), pool, List.of()).list().forEach(a -> new NodeSubnets(database.dataSource(),
                pool, List.of()).release(a.node()));
    }

    /** Asks as an Oakestra node does and returns the answer's JSON. */
    private JsonNode ask(String name) throws Exception {
        node.publish("nodes/" + name + "/net/subnet", "{\"METHOD\":\"GET\"}");
        RawMqtt.Message answer = node.next(10_000);
        assertTrue(answer != null, "no answer for " + name);
        assertEquals("nodes/" + name + "/net/subnetwork/result", answer.topic());
        return JSON.readTree(answer.payload());
    }

    @Test
    void eachNodeGetsItsOwnSubnetAndTheSameOneAgainAlsoAfterARestart() throws Exception {
        JsonNode a = ask("a" + unique);
        JsonNode b = ask("b" + unique);
        assertEquals(Ipv4Net.format(pool.base()), a.get("address").asText(), "the first /24 of the pool: " + a);
        assertEquals(Ipv4Net.format(pool.base() + 256), b.get("address").asText());
        assertTrue(a.get("addressv6").asText().startsWith("fc00::"), a.toString());
        assertNotEquals(a.get("addressv6"), b.get("addressv6"));
        assertEquals(a, ask("a" + unique), "asked again: the same");

        link.close();
        start(); // the cluster restarts
        assertEquals(b, ask("b" + unique), "a restarted cluster gives a node its subnet back");
        JsonNode c = ask("c" + unique);
        assertEquals(Ipv4Net.format(pool.base() + 512), c.get("address").asText(), "and hands nothing out twice");
    }

    @Test
    void badRequestsAreDroppedAndCountedAndChangeNothing() throws Exception {
        String[][] bad = {
            {"nodes/x" + unique + "/net/subnet", "not json"},
            {"nodes/x" + unique + "/net/subnet", "[1]"},
            {"nodes/x" + unique + "/net/subnet", "{\"METHOD\":\"PUT\"}"},
            {"nodes/x" + unique + "/net/subnet", "{\"METHOD\":1}"},
            {"nodes/x" + unique + "/net/subnet", "{\"METHOD\":\"GET\"" + " ".repeat(5000) + "}"}, // beyond the 4 KiB limit
            {"nodes/x y" + unique + "/net/subnet", "{\"METHOD\":\"GET\"}"},
            {"nodes/" + "x".repeat(129) + "/net/subnet", "{\"METHOD\":\"GET\"}"},
        };
        for (String[] request : bad) {
            node.publish(request[0], request[1]);
        }
        node.publish("nodes/x" + unique + "/net/subnet", "{\"METHOD\":\"DELETE\"}"); // taken, and changes nothing
        Deadline.await("bad requests counted", Duration.ofSeconds(10), () -> requests.refused() + link.dropped(), n -> n >= 6);
        assertNull(node.next(500), "no answer to any of them");
        assertEquals(List.of(), new NodeSubnets(database.dataSource(), pool, List.of()).list());
        assertEquals(Ipv4Net.format(pool.base()), ask("x" + unique).get("address").asText(), "a good one still works");
    }

    @Test
    void aFullPoolAnswersNothingMoreAndSaysSoAndReservedSubnetsAreNeverHandedOut() throws Exception {
        NodeSubnets subnets = new NodeSubnets(database.dataSource(), pool, List.of(pool.subnet(24, 1)));
        assertEquals(pool.subnet(24, 0), subnets.allocate("p0" + unique).subnet());
        assertEquals(pool.subnet(24, 2), subnets.allocate("p1" + unique).subnet(), "the reserved one skipped");
        assertEquals(pool.subnet(24, 3), subnets.allocate("p2" + unique).subnet());
        NodeSubnets.Exhausted full = assertThrows(NodeSubnets.Exhausted.class, () -> subnets.allocate("p3" + unique));
        assertTrue(full.getMessage().contains(pool.toString()) && full.getMessage().contains("p3" + unique), full.getMessage());
        assertTrue(subnets.release("p1" + unique));
        assertEquals(pool.subnet(24, 2), subnets.allocate("p3" + unique).subnet(), "a released subnet is free again");
    }
}
