package io.netwarden.netmanager.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * A node's table queries to its cluster, as Oakestra's nodes make them, filling the {@link TranslationTable}:
 *
 * <pre>
 *   resolve(service name │ service IP) ─ known ─▶ the table's
 *        ─ missed within the negative-cache time ─▶ empty at once
 *        ─▶ nodes/&lt;me&gt;/net/tablequery/request {"sname"│"sip"} (one in flight per key; others wait for it)
 *        ─▶ nodes/&lt;me&gt;/net/tablequery/result, matched by query_key ─▶ table replaced ─▶ jobs/&lt;service&gt;/updates_available
 *           subscribed (once) ─ an update ─▶ asked again by name, the table replaced
 *        ─ no answer within the query wait, or no instance ─▶ a miss (negative cache)
 * </pre>
 *
 * Thread safety: the pending queries and subscriptions are concurrent maps; results arrive on the MQTT link's thread.
 */
public final class TableClient {

    private static final Logger LOG = Logger.getLogger(TableClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final MqttLink mqtt;
    private final TranslationTable table;
    private final Duration wait;
    private final Map<String, CompletableFuture<List<TranslationTable.Instance>>> pending = new ConcurrentHashMap<>();
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    /** A service with more instances than this in one answer is not taken. */
    static final int MAX_INSTANCES = 1000;
    private final java.util.function.BiConsumer<String, List<TranslationTable.Instance>> changed;

    public TableClient(String node, MqttLink mqtt, TranslationTable table, Duration wait) {
        this(node, mqtt, table, wait, (service, instances) -> {
        });
    }

    /** @param changed told when a service's instances differ from what was known (not on the thread of a packet) */
    public TableClient(String node, MqttLink mqtt, TranslationTable table, Duration wait,
            java.util.function.BiConsumer<String, List<TranslationTable.Instance>> changed) {
        this.changed = changed;
        this.node = node;
        this.mqtt = mqtt;
        this.table = table;
        this.wait = wait;
    }

    /** Subscribes to this node's query results; call before the link starts. */
    public void start() {
        mqtt.subscribe(OakestraTopics.tableResult(node), this::result);
    }

    public TranslationTable table() {
        return table;
    }

    /** The instances of a service, asked by name when not known. */
    public List<TranslationTable.Instance> byName(String service) {
        List<TranslationTable.Instance> known = table.instances(service);
        return known.isEmpty() ? ask(service, "sname") : known;
    }

    /** The service of a service IP and its instances, asked when not known. */
    public List<TranslationTable.Instance> byIp(String serviceIp) {
        Optional<String> service = table.serviceOf(serviceIp);
        return service.isPresent() ? table.instances(service.get()) : ask(serviceIp, "sip");
    }

    private List<TranslationTable.Instance> ask(String key, String field) {
        if (table.recentlyMissed(key)) {
            return List.of();
        }
        CompletableFuture<List<TranslationTable.Instance>> answer = new CompletableFuture<>();
        CompletableFuture<List<TranslationTable.Instance>> running = pending.putIfAbsent(key, answer);
        if (running == null) {
            String request = "{\"sname\":" + quote(field.equals("sname") ? key : "") + ",\"sip\":"
                    + quote(field.equals("sip") ? key : "") + "}";
            mqtt.publish(OakestraTopics.tableQuery(node), request.getBytes(StandardCharsets.UTF_8))
                    .whenComplete((sent, failed) -> {
                        if (failed != null) {
                            answer.completeExceptionally(failed);
                        }
                    });
            running = answer;
        }
        try {
            List<TranslationTable.Instance> instances = running.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (instances.isEmpty()) {
                table.miss(key);
            }
            return instances;
        } catch (TimeoutException | ExecutionException e) {
            LOG.debugf("netmanager: table query for %s not answered: %s", key, e.toString());
            table.miss(key);
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            pending.remove(key, running);
        }
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A query result: the table replaced, waiting queries answered, the service's updates watched. */
    void result(String topic, byte[] payload) {
        JsonNode body;
        try {
            body = JSON.readTree(new String(payload, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            LOG.warnf("netmanager: a table query result that is not JSON; dropped");
            return;
        }
        if (body == null || !body.isObject() || !body.path("instance_list").isArray()) {
            LOG.warnf("netmanager: a table query result without instance_list; dropped");
            return;
        }
        String service = body.path("app_name").asText("");
        String key = body.path("query_key").asText("");
        CompletableFuture<List<TranslationTable.Instance>> waiting = pending.get(key);
        if (waiting == null) {
            // not asked (or asked and given up): anyone who may publish here could otherwise point a service anywhere
            LOG.debugf("netmanager: a table result nobody here waits for (%s); dropped", key.length() > 80 ? "…" : key);
            return;
        }
        if (body.get("instance_list").size() > MAX_INSTANCES) {
            LOG.warnf("netmanager: a table result for %s lists %d instances, more than %d; dropped", key,
                    body.get("instance_list").size(), MAX_INSTANCES);
            return;
        }
        List<TranslationTable.Instance> instances = new ArrayList<>();
        for (JsonNode entry : body.get("instance_list")) {
            List<TranslationTable.ServiceIp> ips = new ArrayList<>();
            for (JsonNode ip : entry.path("service_ip")) {
                ServiceIpKind.ofWire(ip.path("IpType").asText(""))
                        .ifPresent(kind -> ips.add(new TranslationTable.ServiceIp(kind.name(), ip.path("Address").asText(""))));
            }
            instances.add(new TranslationTable.Instance(service, entry.path("instance_number").asInt(),
                    entry.path("namespace_ip").asText(""), entry.path("host_ip").asText(""),
                    entry.path("host_port").asInt(), List.copyOf(ips)));
        }
        if (!service.isEmpty() && (!key.equals(service) && !isServiceIpOf(key, instances))) {
            LOG.warnf("netmanager: a table result for %s names service %s, which the answer does not place there; dropped",
                    key, service);
            waiting.complete(List.of());
            return;
        }
        if (!service.isEmpty()) {
            boolean differs = !table.instances(service).equals(instances);
            table.replace(service, instances);
            if (differs) {
                try {
                    changed.accept(service, List.copyOf(instances));
                } catch (RuntimeException e) {
                    LOG.debugf("netmanager: a listener of table changes failed: %s", e.toString());
                }
            }
            if (watched.add(service)) {
                mqtt.subscribe(OakestraTopics.updates(service), (t, p) -> refresh(service));
            }
        }
        waiting.complete(List.copyOf(instances));
    }

    /** Whether an answer to a query by service IP lists that IP among its instances' service IPs. */
    private static boolean isServiceIpOf(String ip, List<TranslationTable.Instance> instances) {
        return instances.stream().anyMatch(i -> i.serviceIps().stream().anyMatch(s -> s.address().equals(ip)));
    }

    /** The cluster says the service changed: asked again by name, on a thread of its own (not the link's). */
    private void refresh(String service) {
        Thread.ofVirtual().name("netmanager-refresh").start(() -> {
            List<TranslationTable.Instance> now = ask(service, "sname");
            if (now.isEmpty()) {
                table.replace(service, List.of());
            }
            LOG.debugf("netmanager: %s changed; %d instance(s) now", service, now.size());
        });
    }
}
