package io.netwarden.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netwarden.platform.lifecycle.ConnectivityRestored;
import io.netwarden.platform.lifecycle.Lifecycle;
import io.netwarden.platform.lifecycle.RoleState;
import io.netwarden.platform.persistence.InstanceRegistry;
import io.netwarden.testing.ProbeRoleService;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one lifecycle mechanism: start once, resync on reconnect, and the instance record in the database. */
@QuarkusTest
class LifecycleTest {

    @Inject
    ProbeRoleService probe;

    @Inject
    Lifecycle lifecycle;

    @Inject
    Event<ConnectivityRestored> restored;

    @Inject
    InstanceRegistry instances;

    @Inject
    NodeIdentity node;

    @Test
    void activeRoleServicesStartOnceAndResyncWhenConnectivityReturns() {
        // Given
        assertEquals(1, probe.starts.get());
        assertEquals(RoleState.RUNNING, lifecycle.state(Role.REGISTRY));
        int before = probe.resyncs.size();

        // When
        restored.fire(new ConnectivityRestored("nats"));

        // Then
        assertEquals(List.of("nats"), probe.resyncs.subList(before, probe.resyncs.size()));
    }

    @Test
    void thisStartIsRecordedInTheDatabase() {
        var latest = instances.recent(1).getFirst();
        assertEquals(node.instance(), latest.instanceId);
        assertEquals("test-node", latest.nodeName);
        assertEquals("agent,dispatcher,registry,edge-node,netmanager", latest.roles);
    }
}
