package io.netwarden.netmanager.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.mqtt.OakestraMessages;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The cluster's tunnel keys (beyond Oakestra): a node that needs to reach a peer's tunnel asks for their pair key; the
 * cluster makes a new one and sends it to both nodes, each told the other's tunnel address.
 *
 * <pre>
 *   nodes/&lt;n&gt;/net/tunnel/key/request {"host_ip","host_port","peer_ip","peer_port"}
 *     ─ malformed ─▶ dropped, counted
 *     ─ host address: the instances of n (and no other node's) report it?  peer address: exactly one other node's? ─ no ─▶
 *         nodes/&lt;n&gt;/net/tunnel/key {"peer_ip","peer_port","error"}
 *     ─ this pair keyed less than {@value #REKEY_MILLIS} ms ago ─▶ nothing (both nodes have that key, or it is on its way)
 *     ─▶ 32 random bytes, a random key id ─▶ nodes/&lt;n&gt;/…/tunnel/key and nodes/&lt;peer&gt;/…/tunnel/key
 * </pre>
 *
 * Keys are never stored or logged: a restarted cluster makes new ones when nodes ask. The broker must carry them over
 * TLS and let only the cluster publish on {@code nodes/+/net/tunnel/key} (see the README's trust model).
 *
 * <p>Thread safety: called on the MQTT link's one handler thread; the pair times are a concurrent map.
 */
public final class TunnelKeyIssuer {

    private static final Logger LOG = Logger.getLogger(TunnelKeyIssuer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A pair is keyed at most this often: two nodes asking at once get one key, a flood of asks changes nothing. */
    static final long REKEY_MILLIS = 1_000;
    private static final int MAX_PAIRS = 100_000;

    private final ServiceTable table;
    private final MqttLink mqtt;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> keyedAt = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();

    public TunnelKeyIssuer(ServiceTable table, MqttLink mqtt) {
        this.table = table;
        this.mqtt = mqtt;
    }

    /** Subscribes; call before the link starts. */
    public void start() {
        mqtt.subscribe(OakestraTopics.TUNNEL_KEY_REQUESTS, this::handle);
    }

    /** Pair keys made so far. */
    public long issued() {
        return issued.get();
    }

    void handle(String topic, byte[] payload) {
        String node = OakestraTopics.nodeOf(topic).orElse(null);
        if (node == null) {
            refuse("a tunnel key request on a topic without a valid node name");
            return;
        }
        String hostIp;
        String peerIp;
        int hostPort;
        int peerPort;
        try {
            JsonNode body = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            hostIp = Ipv4Net.format(Ipv4Net.address(body.path("host_ip").asText("")));
            peerIp = Ipv4Net.format(Ipv4Net.address(body.path("peer_ip").asText("")));
            hostPort = port(body.path("host_port"));
            peerPort = port(body.path("peer_port"));
        } catch (java.io.IOException | IllegalArgumentException e) {
            refuse("a tunnel key request that is not {\"host_ip\",\"host_port\",\"peer_ip\",\"peer_port\"} (node " + node
                    + ")");
            return;
        }
        List<String> hosts;
        List<String> peers;
        try {
            hosts = table.nodesAt(hostIp, hostPort);
            peers = table.nodesAt(peerIp, peerPort);
        } catch (IllegalStateException e) {
            LOG.warnf("netmanager cluster: no tunnel key for node %s now: %s", node, e.getMessage());
            return;
        }
        String error = null;
        if (!hosts.equals(List.of(node))) {
            error = hosts.isEmpty() ? "no instance of node " + node + " is reported at " + hostIp + ":" + hostPort
                    : hosts.contains(node) ? "the tunnel address " + hostIp + ":" + hostPort + " is claimed by nodes " + hosts
                    : "the tunnel address " + hostIp + ":" + hostPort + " is that of " + hosts + ", not of node " + node;
        } else if (peers.size() != 1 || peers.getFirst().equals(node)) {
            error = peers.isEmpty() ? "no node reports instances at " + peerIp + ":" + peerPort
                    : peers.getFirst().equals(node) && peers.size() == 1 ? "the peer is the node itself"
                    : "the tunnel address " + peerIp + ":" + peerPort + " is claimed by nodes " + peers;
        }
        if (error != null) {
            refuse("node " + node + " asked for a tunnel key: " + error);
            OakestraMessages.send(mqtt, OakestraTopics.tunnelKey(node), JSON.createObjectNode().put("peer_ip", peerIp)
                    .put("peer_port", peerPort).put("error", error), "the node asks again");
            return;
        }
        String peer = peers.getFirst();
        String pair = node.compareTo(peer) < 0 ? node + "|" + peer : peer + "|" + node;
        long now = System.currentTimeMillis();
        Long last = keyedAt.get(pair);
        if (last != null && now - last < REKEY_MILLIS) {
            return;
        }
        if (keyedAt.size() >= MAX_PAIRS) {
            keyedAt.entrySet().removeIf(e -> now - e.getValue() >= REKEY_MILLIS);
        }
        keyedAt.put(pair, now);
        byte[] key = new byte[32];
        random.nextBytes(key);
        int keyId = random.nextInt();
        String encoded = Base64.getEncoder().encodeToString(key);
        java.util.Arrays.fill(key, (byte) 0);
        issued.incrementAndGet(); // before the sends: whoever hears of the key finds it counted
        send(node, peerIp, peerPort, peer, keyId, encoded);
        send(peer, hostIp, hostPort, node, keyId, encoded);
        LOG.debugf("netmanager cluster: tunnel key %08x for nodes %s and %s", keyId, node, peer);
    }

    private void send(String to, String peerIp, int peerPort, String peer, int keyId, String key) {
        ObjectNode body = JSON.createObjectNode().put("peer_ip", peerIp).put("peer_port", peerPort).put("peer", peer)
                .put("key_id", keyId).put("key", key);
        OakestraMessages.send(mqtt, OakestraTopics.tunnelKey(to), body, "node " + to + " asks again");
    }

    private static int port(JsonNode value) {
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1 || value.intValue() > 65535) {
            throw new IllegalArgumentException("port");
        }
        return value.intValue();
    }

    private void refuse(String what) {
        long n = refused.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.warnf("netmanager cluster: %s; dropped (%d so far)", what, n);
        }
    }
}
