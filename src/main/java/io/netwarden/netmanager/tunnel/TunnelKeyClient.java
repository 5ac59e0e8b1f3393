package io.netwarden.netmanager.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.mqtt.OakestraMessages;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.platform.concurrent.PerSecondBudget;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * A node's side of the tunnel keys: asks the cluster for the key of a peer it has none for, and installs the keys the
 * cluster sends (asked for by this node, or by the peer: the cluster sends every pair key to both nodes).
 *
 * <pre>
 *   want(peer, sending) ─ asked about it in the last {@value #ASK_AGAIN_MILLIS} ms ─▶ nothing
 *        ─ this second's budget spent ({@value #ASKS_PER_SECOND} for packets to send, {@value #RECEIVED_ASKS_PER_SECOND}
 *          for received ones, whose sources may be spoofed: a flood of those never starves the first) ─▶ nothing
 *              ─▶ nodes/&lt;me&gt;/net/tunnel/key/request {"host_ip","host_port","peer_ip","peer_port"}
 *   nodes/&lt;me&gt;/net/tunnel/key {"peer_ip","peer_port","key_id","key"} ─ valid? ─▶ PeerKeys.install
 *                                {…,"error"} ─▶ logged (rate-limited); asked again on a later packet
 * </pre>
 *
 * Thread safety: the ask times are a concurrent map, the counters atomic; keys arrive on the MQTT link's thread.
 */
public final class TunnelKeyClient {

    private static final Logger LOG = Logger.getLogger(TunnelKeyClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long ASK_AGAIN_MILLIS = 2_000;
    static final int ASKS_PER_SECOND = 20;
    static final int RECEIVED_ASKS_PER_SECOND = 5;
    private static final int MAX_ASKED = 10_000;

    private final String node;
    private final MqttLink mqtt;
    private final InetSocketAddress local;
    private final PeerKeys keys;
    private final Map<InetSocketAddress, Long> asked = new ConcurrentHashMap<>();
    private final PerSecondBudget sendingAsks = new PerSecondBudget(ASKS_PER_SECOND);
    private final PerSecondBudget receivedAsks = new PerSecondBudget(RECEIVED_ASKS_PER_SECOND);
    private final AtomicLong refused = new AtomicLong();

    public TunnelKeyClient(String node, MqttLink mqtt, InetSocketAddress local, Suite suite) {
        this.node = node;
        this.mqtt = mqtt;
        this.local = local;
        this.keys = new PeerKeys(suite, local, this::want);
    }

    public PeerKeys keys() {
        return keys;
    }

    /** Subscribes to this node's keys; call before the link starts. */
    public void start() {
        mqtt.subscribe(OakestraTopics.tunnelKey(node), this::received);
    }

    /** Asks the cluster for the key of {@code peer} (to send to it), unless asked lately. */
    public void want(InetSocketAddress peer) {
        want(peer, true);
    }

    /**
     * Asks the cluster for the key of {@code peer}, unless asked lately or this second's budget is spent; never blocks
     * (called on a packet's thread).
     */
    public void want(InetSocketAddress peer, boolean sending) {
        long now = System.currentTimeMillis();
        Long last = asked.get(peer);
        if (last != null && now - last < ASK_AGAIN_MILLIS) {
            return;
        }
        if (!(sending ? sendingAsks : receivedAsks).take()) {
            return;
        }
        if (asked.size() >= MAX_ASKED) {
            asked.entrySet().removeIf(e -> now - e.getValue() >= ASK_AGAIN_MILLIS);
            if (asked.size() >= MAX_ASKED) {
                return;
            }
        }
        asked.put(peer, now);
        OakestraMessages.send(mqtt, OakestraTopics.tunnelKeyRequest(node), JSON.createObjectNode()
                .put("host_ip", local.getAddress().getHostAddress()).put("host_port", local.getPort())
                .put("peer_ip", peer.getAddress().getHostAddress()).put("peer_port", peer.getPort()),
                "asked again on the next packet to or from " + peer);
    }

    void received(String topic, byte[] payload) {
        JsonNode body;
        try {
            body = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            refuse("a tunnel key message that is not JSON");
            return;
        }
        if (body == null || !body.isObject() || !body.path("peer_ip").isTextual() || !body.path("peer_port").isInt()) {
            refuse("a tunnel key message without peer_ip and peer_port");
            return;
        }
        InetSocketAddress peer;
        try {
            int port = body.get("peer_port").intValue();
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port");
            }
            peer = new InetSocketAddress(InetAddress.getByAddress(addressBytes(body.get("peer_ip").asText())), port);
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            refuse("a tunnel key message whose peer is not an IPv4 address and port");
            return;
        }
        if (peer.getAddress().isAnyLocalAddress() || peer.getAddress().isMulticastAddress()
                || peer.getAddress().isLoopbackAddress() || peer.equals(local)) {
            refuse("a tunnel key message for " + peer + ", which is no peer");
            return;
        }
        if (body.has("error")) {
            long n = refused.incrementAndGet();
            if (Long.bitCount(n) == 1) {
                LOG.warnf("netmanager tunnel: the cluster has no key for peer %s: %s (%d so far); packets to and from it"
                        + " are dropped until it has", peer, body.path("error").asText(""), n);
            }
            return;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(body.path("key").asText(""));
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != Suite.KEY_BYTES || !body.path("key_id").isInt()) {
            refuse("a tunnel key message without a " + Suite.KEY_BYTES + "-byte key and a key_id");
            return;
        }
        boolean installed = keys.install(peer, body.get("key_id").intValue(), key);
        java.util.Arrays.fill(key, (byte) 0);
        if (!installed) {
            refuse("a tunnel key for one peer more than the " + PeerKeys.MAX_PEERS + " this node keeps keys for");
            return;
        }
        LOG.debugf("netmanager tunnel: key %08x for peer %s (%s)", body.get("key_id").intValue(), peer,
                body.path("peer").asText("?"));
    }

    private static byte[] addressBytes(String text) {
        int address = Ipv4Net.address(text);
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private void refuse(String what) {
        long n = refused.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.warnf("netmanager tunnel: %s; dropped (%d so far)", what, n);
        }
    }
}
