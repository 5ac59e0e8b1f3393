package io.netwarden.testing;

import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A registry-role service that records what the lifecycle did to it. A singleton: no client proxy in front of its fields. */
@Singleton
public class ProbeRoleService implements RoleService {

    public final AtomicInteger starts = new AtomicInteger();
    public final List<String> resyncs = new CopyOnWriteArrayList<>();

    @Override
    public Role role() {
        return Role.REGISTRY;
    }

    @Override
    public void start() {
        starts.incrementAndGet();
    }

    @Override
    public void resync(String reason) {
        resyncs.add(reason);
    }
}
