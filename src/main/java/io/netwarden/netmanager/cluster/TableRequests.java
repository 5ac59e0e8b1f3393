package io.netwarden.netmanager.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.ipam.NodeSubnets;
import io.netwarden.netmanager.mqtt.OakestraMessages;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.netmanager.node.ServiceNames;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import io.netwarden.platform.messaging.mqtt.MqttTopics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The cluster's side of Oakestra's service table messages:
 *
 * <pre>
 *   nodes/&lt;n&gt;/net/service/deployed   {"appname","instance_number","nsip","nsipv6","host_ip","host_port"}
 *        ─▶ nsip within the node's subnet? host_ip:host_port no other node's? ─▶ ServiceTable.deployed ─ changed ─▶ jobs/&lt;service&gt;/updates_available DEPLOYMENT
 *   nodes/&lt;n&gt;/net/service/undeployed {"appname","instance_number"} ─▶ removed (when on that node) ─▶ … UNDEPLOYMENT
 *   nodes/&lt;n&gt;/net/tablequery/request {"sname","sip"} ─▶ the service (by name, or by any of its IPs), the node's
 *        interest noted ─▶ nodes/&lt;n&gt;/net/tablequery/result {"app_name","query_key","instance_list":[…]} (empty when unknown)
 *   nodes/&lt;n&gt;/net/interest/remove {"appname"} ─▶ interest removed
 *   anything else: not JSON, fields missing or of the wrong type, a node name that is no topic level ─▶ dropped, counted
 * </pre>
 *
 * Thread safety: called on the MQTT link's one handler thread; the counter is atomic.
 */
public final class TableRequests {

    private static final Logger LOG = Logger.getLogger(TableRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServiceTable table;
    private final NodeSubnets subnets;
    private final MqttLink mqtt;
    private final AtomicLong refused = new AtomicLong();

    public TableRequests(ServiceTable table, NodeSubnets subnets, MqttLink mqtt) {
        this.table = table;
        this.subnets = subnets;
        this.mqtt = mqtt;
    }

    public void start() {
        mqtt.subscribe(OakestraTopics.DEPLOYED, (topic, payload) -> handle(topic, payload, this::deployed));
        mqtt.subscribe(OakestraTopics.UNDEPLOYED, (topic, payload) -> handle(topic, payload, this::undeployed));
        mqtt.subscribe(OakestraTopics.TABLE_QUERIES, (topic, payload) -> handle(topic, payload, this::query));
        mqtt.subscribe(OakestraTopics.INTEREST_REMOVED, (topic, payload) -> handle(topic, payload, this::interestRemoved));
    }

    public long refused() {
        return refused.get();
    }

    /** A message refused: why, for the log. */
    private static final class Refused extends RuntimeException {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Handler {
        void handle(String node, JsonNode body);
    }

    private void handle(String topic, byte[] payload, Handler handler) {
        try {
            String node = OakestraTopics.nodeOf(topic).orElseThrow(() -> new Refused("no valid node name in the topic"));
            JsonNode body;
            try {
                body = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new Refused("not JSON");
            }
            if (body == null || !body.isObject()) {
                throw new Refused("not a JSON object");
            }
            handler.handle(node, body);
        } catch (Refused | ApiException e) {
            long n = refused.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warnf("netmanager cluster: a message on %s dropped: %s (%d so far)", MqttTopics.printable(topic),
                        e.getMessage(), n);
            }
        }
    }

    private void deployed(String node, JsonNode body) {
        String service = ServiceNames.require(text(body, "appname"));
        int instance = number(body, "instance_number", 0, 1_000_000);
        String nsIp = address(body, "nsip");
        String hostIp = address(body, "host_ip");
        int hostPort = number(body, "host_port", 1, 65535);
        String nsIpV6 = body.path("nsipv6").isTextual() && body.get("nsipv6").asText().matches("[0-9a-fA-F:.]{2,45}")
                ? body.get("nsipv6").asText() : null; // an IPv6 literal's characters, or nothing
        Optional<NodeSubnets.Allocation> subnet = subnets.find(node);
        if (subnet.isEmpty()) {
            throw new Refused("node " + node + " has no subnet from this cluster; it asks for one first");
        }
        if (!subnet.get().subnet().contains(Ipv4Net.address(nsIp))) {
            throw new Refused("node " + node + " reports " + nsIp + ", outside its subnet " + subnet.get().subnet());
        }
        // a tunnel address is one node's: another node reporting it would take the keys and the traffic meant for it
        List<String> claimed = table.nodesAt(hostIp, hostPort).stream().filter(other -> !other.equals(node)).toList();
        if (!claimed.isEmpty()) {
            throw new Refused("node " + node + " reports the tunnel address " + hostIp + ":" + hostPort + " of node "
                    + claimed.getFirst());
        }
        boolean changed;
        try {
            changed = table.deployed(node, service, instance, nsIp, nsIpV6, hostIp, hostPort);
        } catch (ServiceTable.Taken e) {
            throw new Refused(e.getMessage());
        }
        if (changed) {
            LOG.infof("netmanager cluster: %s instance %d on node %s at %s (%s:%d)", service, instance, node, nsIp, hostIp,
                    hostPort);
            announce(service, "DEPLOYMENT");
        }
    }

    private void undeployed(String node, JsonNode body) {
        String service = ServiceNames.require(text(body, "appname"));
        int instance = number(body, "instance_number", 0, 1_000_000);
        if (table.undeployed(node, service, instance)) {
            LOG.infof("netmanager cluster: %s instance %d on node %s undeployed", service, instance, node);
            announce(service, "UNDEPLOYMENT");
        }
    }

    private void query(String node, JsonNode body) {
        String name = body.path("sname").asText("");
        String ip = body.path("sip").asText("");
        if (name.isEmpty() == ip.isEmpty()) {
            throw new Refused("a table query names either sname or sip");
        }
        Optional<String> service;
        String key;
        if (!name.isEmpty()) {
            service = Optional.of(ServiceNames.require(name)).filter(table::known);
            key = name;
        } else {
            Ipv4Net.address(ipOrRefuse(ip));
            service = table.serviceOf(ip);
            key = ip;
        }
        service.ifPresent(s -> table.interest(s, node));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("app_name", service.orElse(name));
        answer.put("query_key", key);
        ArrayNode list = answer.putArray("instance_list");
        for (ServiceTable.Entry entry : service.map(table::instances).orElse(List.of())) {
            ObjectNode instance = list.addObject();
            instance.put("instance_number", entry.instanceNumber());
            instance.put("namespace_ip", entry.nsIp());
            instance.put("namespace_ip_v6", entry.nsIpV6() == null ? "" : entry.nsIpV6());
            instance.put("host_ip", entry.hostIp());
            instance.put("host_port", entry.hostPort());
            ArrayNode ips = instance.putArray("service_ip");
            for (ServiceTable.ServiceIp serviceIp : entry.serviceIps()) {
                ips.addObject().put("IpType", serviceIp.kind().wire()).put("Address", serviceIp.address()).put("Address_v6", "");
            }
        }
        publish(OakestraTopics.tableResult(node), answer);
    }

    private void interestRemoved(String node, JsonNode body) {
        table.removeInterest(ServiceNames.require(text(body, "appname")), node);
    }

    private void announce(String service, String type) {
        publish(OakestraTopics.updates(service), JSON.createObjectNode().put("type", type));
    }

    private void publish(String topic, ObjectNode body) {
        OakestraMessages.send(mqtt, topic, body, "the node asks again, or hears of the next change");
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new Refused(field + " is missing or not a string");
        }
        return value.asText();
    }

    /** A whole number, also as Oakestra's nodes send some: a string of digits ({@code "host_port":"50103"}). */
    private static int number(JsonNode body, String field, int min, int max) {
        JsonNode value = body.get(field);
        long number;
        if (value != null && value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.asLong();
        } else if (value != null && value.isTextual() && value.asText().matches("[0-9]{1,9}")) {
            number = Long.parseLong(value.asText());
        } else {
            throw new Refused(field + " is missing or not a whole number");
        }
        if (number < min || number > max) {
            throw new Refused(field + " is " + min + "-" + max);
        }
        return (int) number;
    }

    private static String address(JsonNode body, String field) {
        return ipOrRefuse(text(body, field));
    }

    private static String ipOrRefuse(String text) {
        try {
            Ipv4Net.address(text);
            return text;
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage().length() > 80 ? "an address is not an IPv4 address" : e.getMessage());
        }
    }
}
