package io.netwarden.netmanager.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.ipam.NodeSubnets;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The cluster's answer to Oakestra's subnet request: a node asks on {@code nodes/<node>/net/subnet} with
 * {@code {"METHOD":"GET"}} and gets {@code {"address":"10.16.3.0","addressv6":"fc00::300"}} on
 * {@code nodes/<node>/net/subnetwork/result} — its own subnet again when it had one.
 *
 * <pre>
 *   message ─▶ node name from the topic valid? JSON object with METHOD? ─ no ─▶ dropped, counted, logged (rate-limited)
 *           ─▶ GET ─▶ NodeSubnets.allocate ─▶ answer (QoS 1)      none free ─▶ logged, no answer
 *           ─▶ DELETE ─▶ nothing (as Oakestra: a node's subnet is kept for its return)
 * </pre>
 *
 * Thread safety: called on the MQTT link's one handler thread; the counter is atomic.
 */
public final class SubnetRequests {

    private static final Logger LOG = Logger.getLogger(SubnetRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeSubnets subnets;
    private final MqttLink mqtt;
    private final AtomicLong refused = new AtomicLong();

    public SubnetRequests(NodeSubnets subnets, MqttLink mqtt) {
        this.subnets = subnets;
        this.mqtt = mqtt;
    }

    /** Subscribes; call before the link starts. */
    public void start() {
        mqtt.subscribe(OakestraTopics.SUBNET_REQUESTS, this::handle);
    }

    /** Requests dropped as invalid so far. */
    public long refused() {
        return refused.get();
    }

    void handle(String topic, byte[] payload) {
        String node = OakestraTopics.nodeOf(topic).orElse(null);
        if (node == null) {
            refuse("a subnet request on a topic without a valid node name", topic);
            return;
        }
        String method;
        try {
            JsonNode body = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
            if (body == null || !body.isObject() || !body.path("METHOD").isTextual()) {
                refuse("a subnet request that is not {\"METHOD\":\"GET\"}", topic);
                return;
            }
            method = body.get("METHOD").asText();
        } catch (java.io.IOException e) {
            refuse("a subnet request that is not JSON", topic);
            return;
        }
        switch (method) {
            case "GET" -> answer(node);
            case "DELETE" -> LOG.debugf("netmanager cluster: node %s gave up its subnet request; its subnet is kept", node);
            default -> refuse("a subnet request with METHOD other than GET or DELETE", topic);
        }
    }

    private void answer(String node) {
        NodeSubnets.Allocation allocation;
        try {
            allocation = subnets.allocate(node);
        } catch (NodeSubnets.Exhausted e) {
            LOG.errorf("netmanager cluster: %s", e.getMessage());
            return;
        }
        byte[] answer;
        try {
            answer = JSON.writeValueAsBytes(Map.of("address", allocation.address(), "addressv6", allocation.subnetV6()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        mqtt.publish(OakestraTopics.subnetResult(node), answer).whenComplete((done, failed) -> {
            if (failed != null) {
                LOG.warnf("netmanager cluster: the subnet of node %s (%s) was not sent: %s; it gets it when it asks again",
                        node, allocation.subnet(), failed.getMessage());
            } else {
                LOG.debugf("netmanager cluster: node %s has subnet %s", node, allocation.subnet());
            }
        });
    }

    private void refuse(String what, String topic) {
        long n = refused.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.warnf("netmanager cluster: %s (%s); dropped (%d so far)", what,
                    io.netwarden.platform.messaging.mqtt.MqttTopics.printable(topic), n);
        }
    }
}
