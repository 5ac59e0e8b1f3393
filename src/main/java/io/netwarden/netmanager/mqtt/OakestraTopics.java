package io.netwarden.netmanager.mqtt;

import java.util.Optional;

/**
 * Oakestra's MQTT topics between a node's NetManager and its cluster, as its nodes and cluster use them:
 *
 * <pre>
 *   node → cluster   nodes/&lt;node&gt;/net/subnet                {"METHOD":"GET"}
 *   cluster → node   nodes/&lt;node&gt;/net/subnetwork/result     {"address","addressv6"}
 *   node → cluster   nodes/&lt;node&gt;/net/tablequery/request    {"sname","sip"}
 *   cluster → node   nodes/&lt;node&gt;/net/tablequery/result     {"app_name","query_key","instance_list":[…]}
 *   node → cluster   nodes/&lt;node&gt;/net/service/deployed      {"appname","status","instance_number","nsip",…}
 *   node → cluster   nodes/&lt;node&gt;/net/service/undeployed, …/interest/remove {"appname"}
 *   cluster → node   jobs/&lt;service&gt;/updates_available        {"type":"DEPLOYMENT"|"UNDEPLOYMENT"}
 *   beyond Oakestra (tunnel encryption):
 *   node → cluster   nodes/&lt;node&gt;/net/tunnel/key/request     {"host_ip","host_port","peer_ip","peer_port"}
 *   cluster → node   nodes/&lt;node&gt;/net/tunnel/key             {"peer_ip","peer_port","peer","key_id","key"} │ {…,"error"}
 * </pre>
 *
 * A node is named by one topic level: 1-128 characters of letters, digits, {@code .}, {@code _} and {@code -}
 * (Oakestra's node ids are 24 hex digits; Netwarden's are node names).
 */
public final class OakestraTopics {

    public static final String SUBNET_REQUESTS = "nodes/+/net/subnet";
    public static final String DEPLOYED = "nodes/+/net/service/deployed";
    public static final String UNDEPLOYED = "nodes/+/net/service/undeployed";
    public static final String TABLE_QUERIES = "nodes/+/net/tablequery/request";
    public static final String INTEREST_REMOVED = "nodes/+/net/interest/remove";
    public static final String TUNNEL_KEY_REQUESTS = "nodes/+/net/tunnel/key/request";
    private static final int MAX_NODE = 128;

    private OakestraTopics() {
    }

    public static String subnetRequest(String node) {
        return "nodes/" + requireNode(node) + "/net/subnet";
    }

    public static String subnetResult(String node) {
        return "nodes/" + requireNode(node) + "/net/subnetwork/result";
    }

    public static String deployed(String node) {
        return "nodes/" + requireNode(node) + "/net/service/deployed";
    }

    public static String undeployed(String node) {
        return "nodes/" + requireNode(node) + "/net/service/undeployed";
    }

    public static String tableQuery(String node) {
        return "nodes/" + requireNode(node) + "/net/tablequery/request";
    }

    public static String tableResult(String node) {
        return "nodes/" + requireNode(node) + "/net/tablequery/result";
    }

    public static String interestRemoved(String node) {
        return "nodes/" + requireNode(node) + "/net/interest/remove";
    }

    public static String tunnelKeyRequest(String node) {
        return "nodes/" + requireNode(node) + "/net/tunnel/key/request";
    }

    /** Where the cluster sends a node its tunnel keys; only the cluster may publish here (broker ACL). */
    public static String tunnelKey(String node) {
        return "nodes/" + requireNode(node) + "/net/tunnel/key";
    }

    /** Where the cluster says that a service changed; its nodes subscribe to the services they use. */
    public static String updates(String service) {
        return "jobs/" + service + "/updates_available";
    }

    /** The node named by a {@code nodes/<node>/net/…} topic, when it is a valid name. */
    public static Optional<String> nodeOf(String topic) {
        String[] levels = topic.split("/", -1);
        if (levels.length < 3 || !levels[0].equals("nodes") || !levels[2].equals("net") || !validNode(levels[1])) {
            return Optional.empty();
        }
        return Optional.of(levels[1]);
    }

    public static boolean validNode(String node) {
        return node != null && !node.isEmpty() && node.length() <= MAX_NODE && node.chars().allMatch(c -> (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
    }

    public static String requireNode(String node) {
        if (!validNode(node)) {
            throw new IllegalArgumentException("a node name for MQTT topics is 1-" + MAX_NODE
                    + " letters, digits, '.', '_' or '-'");
        }
        return node;
    }
}
