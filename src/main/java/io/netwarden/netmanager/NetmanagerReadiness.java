package io.netwarden.netmanager;

import io.netwarden.platform.Role;
import io.netwarden.platform.health.RoleReadinessCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the netmanager role. */
@Readiness
@ApplicationScoped
public class NetmanagerReadiness extends RoleReadinessCheck {

    @Inject
    NetmanagerConfig config;

    public NetmanagerReadiness() {
        super(Role.NETMANAGER);
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("mode", config.mode());
    }
}
