package io.netwarden.netmanager.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's service table over the test environment's Mosquitto, with plain MQTT clients in the role of two
 * Oakestra nodes: deployed instances, table queries by name and by service IP, updates to interested nodes, undeploys.
 */
@QuarkusTest
class ClusterTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Ipv4Net SERVICES = Ipv4Net.parse("10.32.0.0/16");

    @Inject
    ActiveDatabase database;

    @Inject
    Vertx vertx;

    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private final String service = "app" + unique + ".ns.web.default";
    private final String one = "one" + unique;
    private final String two = "two" + unique;
    private MqttLink link;
    private TableRequests requests;
    private NodeSubnets subnets;
    private RawMqtt nodeOne;
    private RawMqtt nodeTwo;
    /** Node two's subscription to the service's updates (a connection of its own, so answers and updates do not mix). */
    private RawMqtt updates;

    @BeforeEach
    void cluster() throws Exception {
        subnets = new NodeSubnets(database.dataSource(), Ipv4Net.parse("10.16.0.0/12"), List.of());
        link = new MqttLink(vertx, MqttSettings.of(TestEnv.mqttUrl(), "nwtest-cluster-" + unique, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 65536));
        requests = new TableRequests(new ServiceTable(database.dataSource(), SERVICES), subnets, link);
        requests.start();
        AtomicInteger connected = new AtomicInteger();
        link.onConnected(connected::incrementAndGet);
        link.start();
        Deadline.await("cluster subscribed", Duration.ofSeconds(10), connected::get, n -> n >= 1);
        nodeOne = new RawMqtt(vertx, "nwtest-" + one);
        nodeTwo = new RawMqtt(vertx, "nwtest-" + two).subscribe("nodes/" + two + "/net/tablequery/result");
        updates = new RawMqtt(vertx, "nwtest-updates-" + two).subscribe("jobs/" + service + "/updates_available");
    }

    @AfterEach
    void stop() throws Exception {
        link.close();
        nodeOne.close();
        nodeTwo.close();
        updates.close();
        io.netwarden.testing.NetmanagerRows.forgetService(database.dataSource(), service);
        subnets.release(one);
        subnets.release(two);
    }

    private void deployed(int instance, String nsIp, Object hostPort) throws Exception {
        nodeOne.publish("nodes/" + one + "/net/service/deployed", JSON.writeValueAsString(java.util.Map.of("appname", service,
                "status", "DEPLOYED", "instance_number", instance, "nsip", nsIp, "nsipv6", "fc00::2", "host_ip", "10.99.0.1",
                "host_port", hostPort)));
    }

    private JsonNode query(String sname, String sip) throws Exception {
        nodeTwo.publish("nodes/" + two + "/net/tablequery/request", "{\"sname\":\"" + sname + "\",\"sip\":\"" + sip + "\"}");
        RawMqtt.Message answer = nodeTwo.next(10_000);
        assertTrue(answer != null, "no answer to the query");
        assertEquals("nodes/" + two + "/net/tablequery/result", answer.topic());
        return JSON.readTree(answer.payload());
    }

    @Test
    void deployedInstancesAreFoundByNameAndServiceIpAndInterestedNodesHearOfChanges() throws Exception {
        Ipv4Net subnet = subnets.allocate(one).subnet();
        String first = Ipv4Net.format(subnet.host(2));
        deployed(0, first, "50103"); // host_port as Oakestra's nodes send it: a string
        JsonNode answer = Deadline.await("the instance in the table", Duration.ofSeconds(10), () -> query(service, ""),
                a -> a.get("instance_list").size() == 1);
        assertEquals(service, answer.get("app_name").asText());
        assertEquals(service, answer.get("query_key").asText());
        JsonNode instance = answer.get("instance_list").get(0);
        assertEquals(0, instance.get("instance_number").asInt());
        assertEquals(first, instance.get("namespace_ip").asText());
        assertEquals("fc00::2", instance.get("namespace_ip_v6").asText());
        assertEquals("10.99.0.1", instance.get("host_ip").asText());
        assertEquals(50103, instance.get("host_port").asInt());
        Set<String> kinds = new HashSet<>();
        String roundRobin = null;
        String instanceIp = null;
        for (JsonNode ip : instance.get("service_ip")) {
            kinds.add(ip.get("IpType").asText());
            assertTrue(SERVICES.contains(Ipv4Net.address(ip.get("Address").asText())), ip.toString());
            roundRobin = ip.get("IpType").asText().equals("RR") ? ip.get("Address").asText() : roundRobin;
            instanceIp = ip.get("IpType").asText().equals("instance_ip") ? ip.get("Address").asText() : instanceIp;
        }
        assertEquals(Set.of("RR", "closest", "instance_ip"), kinds);
        assertNotEquals(roundRobin, instanceIp);

        assertEquals("{\"type\":\"DEPLOYMENT\"}", updates.next(10_000).payload(), "the first instance");
        deployed(1, Ipv4Net.format(subnet.host(3)), 50103);
        assertEquals("{\"type\":\"DEPLOYMENT\"}", updates.next(10_000).payload(), "the second instance");
        JsonNode byIp = query("", roundRobin);
        assertEquals(service, byIp.get("app_name").asText());
        assertEquals(roundRobin, byIp.get("query_key").asText());
        assertEquals(2, byIp.get("instance_list").size(), "by the round-robin IP: both instances");
        assertEquals(service, query("", instanceIp).get("app_name").asText(), "by an instance IP: its service");

        // a report again changes nothing and announces nothing
        deployed(1, Ipv4Net.format(subnet.host(3)), 50103);
        assertNull(updates.next(500));

        // undeployed: by another node changes nothing; by its node removes it
        nodeTwo.publish("nodes/" + two + "/net/service/undeployed", "{\"appname\":\"" + service + "\",\"instance_number\":1}");
        assertNull(updates.next(500));
        nodeOne.publish("nodes/" + one + "/net/service/undeployed", "{\"appname\":\"" + service + "\",\"instance_number\":1}");
        assertEquals("{\"type\":\"UNDEPLOYMENT\"}", updates.next(10_000).payload());
        assertEquals(1, query(service, "").get("instance_list").size());
    }

    @Test
    void unknownServicesAnswerEmptyAndBadMessagesAreDroppedAndChangeNothing() throws Exception {
        JsonNode unknown = query("app.ns.nothing" + unique + ".here", "");
        assertEquals("app.ns.nothing" + unique + ".here", unknown.get("app_name").asText());
        assertEquals(0, unknown.get("instance_list").size());
        JsonNode noIp = query("", "10.32.255.254");
        assertEquals("", noIp.get("app_name").asText());
        assertEquals(0, noIp.get("instance_list").size());

        Ipv4Net subnet = subnets.allocate(one).subnet();
        long before = requests.refused();
        String[] bad = {
            "not json",
            "{\"appname\":\"web\",\"instance_number\":0,\"nsip\":\"" + Ipv4Net.format(subnet.host(2)) + "\",\"host_ip\":\"10.99.0.1\",\"host_port\":1}",
            "{\"appname\":\"" + service + "\",\"instance_number\":-1,\"nsip\":\"" + Ipv4Net.format(subnet.host(2)) + "\",\"host_ip\":\"10.99.0.1\",\"host_port\":1}",
            "{\"appname\":\"" + service + "\",\"instance_number\":0,\"nsip\":\"10.200.0.2\",\"host_ip\":\"10.99.0.1\",\"host_port\":1}",
            "{\"appname\":\"" + service + "\",\"instance_number\":0,\"nsip\":\"" + Ipv4Net.format(subnet.host(2)) + "\",\"host_ip\":\"x\",\"host_port\":1}",
            "{\"appname\":\"" + service + "\",\"instance_number\":0,\"nsip\":\"" + Ipv4Net.format(subnet.host(2)) + "\",\"host_ip\":\"10.99.0.1\",\"host_port\":70000}",
        };
        for (String payload : bad) {
            nodeOne.publish("nodes/" + one + "/net/service/deployed", payload);
        }
        nodeTwo.publish("nodes/" + two + "/net/tablequery/request", "{\"sname\":\"a.b.c.d\",\"sip\":\"10.32.0.1\"}");
        Deadline.await("all refused", Duration.ofSeconds(10), requests::refused, n -> n - before >= bad.length + 1);
        assertNull(nodeTwo.next(300), "no answer to a query naming both");
        assertEquals(0, query(service, "").get("instance_list").size(), "nothing recorded, not even the one outside the"
                + " node's subnet");
    }

    @Test
    void aNodeReportingAnotherNodesTunnelAddressIsRefused() throws Exception {
        Ipv4Net subnetOne = subnets.allocate(one).subnet();
        Ipv4Net subnetTwo = subnets.allocate(two).subnet();
        deployed(0, Ipv4Net.format(subnetOne.host(2)), 50103); // node one's tunnel at 10.99.0.1:50103
        Deadline.await("node one's instance in the table", Duration.ofSeconds(10), () -> query(service, "")
                .get("instance_list").size(), n -> n == 1);
        // node two claims that address for an instance of its own: it would take node one's keys and traffic
        nodeTwo.publish("nodes/" + two + "/net/service/deployed", JSON.writeValueAsString(java.util.Map.of("appname",
                service, "status", "DEPLOYED", "instance_number", 1, "nsip", Ipv4Net.format(subnetTwo.host(2)),
                "host_ip", "10.99.0.1", "host_port", 50103)));
        // a report after it, of node two's own address, goes through: the one before was refused, not delayed
        nodeTwo.publish("nodes/" + two + "/net/service/deployed", JSON.writeValueAsString(java.util.Map.of("appname",
                service, "status", "DEPLOYED", "instance_number", 2, "nsip", Ipv4Net.format(subnetTwo.host(3)),
                "host_ip", "10.99.0.2", "host_port", 50103)));
        JsonNode answer = Deadline.await("node two's own report", Duration.ofSeconds(10), () -> query(service, ""),
                a -> a.get("instance_list").size() >= 2);
        assertEquals(2, answer.get("instance_list").size(), answer.toString());
        for (JsonNode instance : answer.get("instance_list")) {
            assertNotEquals(1, instance.get("instance_number").asInt(), "the claim was refused: " + answer);
        }
    }
}
