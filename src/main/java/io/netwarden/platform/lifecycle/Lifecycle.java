package io.netwarden.platform.lifecycle;

import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Starts, resyncs and stops the {@link RoleService}s of the active roles; the one lifecycle mechanism of the platform.
 *
 * <pre>
 *   start-up:  messaging ─▶ services of active roles (ascending order) ─▶ NodeStarted event
 *   reconnect: ConnectivityRestored ─▶ resync(reason) on every running service
 *   shutdown:  services (descending order, each drains) ─▶ messaging drains and closes
 * </pre>
 *
 * Thread safety: start and stop run on the Quarkus main thread; resync may arrive from a messaging thread. All of them
 * are {@code synchronized} on this bean, so a resync never overlaps a start or stop.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    @Inject
    NodeIdentity node;

    @Inject
    NetwardenConfig config;

    @Inject
    Messaging messaging;

    @Inject
    Instance<RoleService> services;

    @Inject
    Event<NodeStarted> nodeStarted;

    private final Map<Role, RoleState> states = new EnumMap<>(Role.class);
    private final List<RoleService> running = new ArrayList<>();

    synchronized void onStart(@Observes @Priority(500) StartupEvent event) throws Exception {
        for (Role role : Role.values()) {
            states.put(role, node.runs(role) ? RoleState.STARTING : RoleState.INACTIVE);
        }
        LOG.infof("node %s (instance %s, version %s) starting roles [%s]; messaging: %s",
                node.name(), node.instance(), node.version(), node.roles(), messaging.description());
        messaging.start();
        List<RoleService> selected = services.stream()
                .filter(s -> node.runs(s.role()))
                .sorted(Comparator.comparingInt(RoleService::order))
                .toList();
        for (RoleService service : selected) {
            try {
                service.start();
                running.add(service);
                LOG.debugf("started %s (%s)", service.name(), service.role());
            } catch (Exception e) {
                states.put(service.role(), RoleState.FAILED);
                LOG.errorf(DatabaseErrors.loggable(e), "role %s: %s failed to start", service.role(), service.name());
                throw e;
            }
        }
        for (Role role : node.roles().roles()) {
            states.put(role, RoleState.RUNNING);
            LOG.infof("role %s running", role);
        }
        nodeStarted.fire(new NodeStarted(node.name(), node.instance(), node.roles().ids(), node.version()));
    }

    synchronized void onConnectivityRestored(@Observes ConnectivityRestored restored) {
        LOG.infof("%s is back; resyncing %d role services", restored.source(), running.size());
        for (RoleService service : running) {
            try {
                service.resync(restored.source());
            } catch (RuntimeException e) {
                LOG.errorf(DatabaseErrors.loggable(e), "role %s: %s failed to resync after %s came back", service.role(), service.name(),
                        restored.source());
            }
        }
    }

    synchronized void onStop(@Observes @Priority(500) ShutdownEvent event) {
        Duration drain = config.shutdown().drainTimeout();
        for (Role role : node.roles().roles()) {
            if (states.get(role) == RoleState.RUNNING) {
                states.put(role, RoleState.STOPPING);
            }
        }
        List<RoleService> reversed = new ArrayList<>(running);
        reversed.sort(Comparator.comparingInt(RoleService::order).reversed());
        for (RoleService service : reversed) {
            try {
                service.stop(drain);
            } catch (RuntimeException e) {
                LOG.errorf(DatabaseErrors.loggable(e), "role %s: %s did not stop cleanly", service.role(), service.name());
            }
        }
        running.clear();
        for (Role role : node.roles().roles()) {
            if (states.get(role) == RoleState.STOPPING) {
                states.put(role, RoleState.STOPPED);
                LOG.infof("role %s stopped", role);
            }
        }
        messaging.stop(drain);
    }

    /** The lifecycle state of a role on this node. */
    public synchronized RoleState state(Role role) {
        return states.getOrDefault(role, node.runs(role) ? RoleState.STARTING : RoleState.INACTIVE);
    }
}
