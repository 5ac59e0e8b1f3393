package io.netwarden.registry.backends;

import io.netwarden.platform.consul.ConsulKv;
import io.netwarden.platform.consul.ConsulServices;
import io.netwarden.registry.store.RegisteredService;
import io.netwarden.registry.store.ServiceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The Consul backend: what this registry instance sees, registered with its local Consul agent, as the Service
 * Registry did (and registrator does for containers).
 *
 * <pre>
 *   reconcile() (every sync interval, and soon after each registration change):
 *     wanted  = the services this instance sees (the store, seenBy = instance)
 *             ─▶ one Consul service each: ID "&lt;instance&gt;:&lt;USN&gt;", name "&lt;tag&gt;-&lt;URN after its second colon&gt;",
 *                tags [tag, "ssdp"], address and port from LOCATION, meta usn/urn/location/server/friendlyName,
 *                a TTL check (3 sync intervals) that Consul deregisters after deregister-critical-after
 *     not known what the agent holds (start, or after any failed call: the agent may have restarted empty)
 *             ─▶ GET /v1/agent/services; this instance's services there that are not wanted ─▶ deregistered
 *     new or changed ─▶ registered │ no longer wanted ─▶ deregistered │ every wanted one ─▶ its TTL passed or failed
 * </pre>
 *
 * Other instances' and other tools' services (another ID prefix) are never touched. The database stays what the API
 * lists. Thread safety: reconcile is synchronized; it is the only user of the map of what Consul holds.
 */
public final class ConsulMirror {

    private static final Logger LOG = Logger.getLogger(ConsulMirror.class);
    static final int PAGE = 1000;
    static final int MAX_META_VALUE = 512;

    private final ServiceStore store;
    private final ConsulServices consul;
    private final String instance;
    private final Duration ttl;
    private final Duration deregisterCriticalAfter;
    private final Map<String, ConsulServices.Registration> registered = new HashMap<>();
    private boolean agentKnown;

    /**
     * @param ttl how long Consul keeps a check passing without an update (three reconcile intervals)
     */
    public ConsulMirror(ServiceStore store, ConsulServices consul, String instance, Duration ttl,
            Duration deregisterCriticalAfter) {
        this.store = store;
        this.consul = consul;
        this.instance = instance;
        this.ttl = ttl;
        this.deregisterCriticalAfter = deregisterCriticalAfter;
    }

    /** What a reconcile did. */
    public record Result(int registered, int deregistered, int checks) {
    }

    /**
     * Brings the agent in line with the store.
     *
     * @throws ConsulKv.ConsulException the agent could not be reached or refused; the next call starts by listing it
     */
    public synchronized Result reconcile() throws ConsulKv.ConsulException {
        try {
            return reconcileOnce();
        } catch (ConsulKv.ConsulException | RuntimeException e) {
            agentKnown = false;
            throw e;
        }
    }

    private Result reconcileOnce() throws ConsulKv.ConsulException {
        Map<String, ConsulServices.Registration> wanted = new LinkedHashMap<>();
        Map<String, RegisteredService> services = new HashMap<>();
        for (int offset = 0; ; offset += PAGE) {
            List<RegisteredService> page = store.list(new ServiceStore.Filter(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.of(instance)), offset, PAGE);
            for (RegisteredService service : page) {
                ConsulServices.Registration registration = registration(service);
                wanted.put(registration.id(), registration);
                services.put(registration.id(), service);
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        int added = 0;
        int removed = 0;
        if (!agentKnown) {
            Map<String, String> present = consul.services();
            registered.keySet().retainAll(present.keySet());
            for (String id : present.keySet()) {
                if (id.startsWith(instance + ":") && !wanted.containsKey(id)) {
                    consul.deregister(id);
                    removed++;
                }
            }
            agentKnown = true;
            LOG.infof("Consul resync: %d service(s) of this registry instance there, %d wanted", present.keySet().stream()
                    .filter(id -> id.startsWith(instance + ":")).count(), wanted.size());
        }
        for (String id : new ArrayList<>(registered.keySet())) {
            if (!wanted.containsKey(id)) {
                consul.deregister(id);
                registered.remove(id);
                removed++;
            }
        }
        for (ConsulServices.Registration registration : wanted.values()) {
            if (!registration.equals(registered.get(registration.id()))) {
                consul.register(registration);
                registered.put(registration.id(), registration);
                added++;
            }
        }
        for (Map.Entry<String, RegisteredService> entry : services.entrySet()) {
            RegisteredService service = entry.getValue();
            boolean passing = "passing".equals(service.status());
            consul.updateTtl(entry.getKey(), passing, passing ? "seen by " + instance + ", last at " + service.lastSeen()
                    : "its LOCATION fails the health probe");
        }
        return new Result(added, removed, services.size());
    }

    ConsulServices.Registration registration(RegisteredService service) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("usn", cut(service.usn()));
        meta.put("urn", cut(service.urn()));
        meta.put("location", cut(service.location()));
        if (!service.server().isEmpty()) {
            meta.put("server", cut(service.server()));
        }
        Object friendly = service.device().get("friendlyName");
        if (friendly instanceof String name && !name.isEmpty()) {
            meta.put("friendlyName", cut(name));
        }
        meta.put("registry", cut(instance));
        return new ConsulServices.Registration(instance + ":" + service.usn(), name(service.tag(), service.urn()),
                List.of(service.tag(), "ssdp"), service.address(), service.port(), meta, ttl, deregisterCriticalAfter);
    }

    /** {@code <tag>-<the URN after its second colon>}: {@code RackHD-service:api:2.0} as the seed's registry named them. */
    static String name(String tag, String urn) {
        int first = urn.indexOf(':');
        int second = first < 0 ? -1 : urn.indexOf(':', first + 1);
        return tag + "-" + (second < 0 ? urn : urn.substring(second + 1));
    }

    private static String cut(String value) {
        return value.length() > MAX_META_VALUE ? value.substring(0, MAX_META_VALUE) : value;
    }
}
