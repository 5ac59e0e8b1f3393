package io.netwarden.dnc.dispatcher;

import io.netwarden.platform.Role;
import io.netwarden.platform.health.RoleReadinessCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the dispatcher role. */
@Readiness
@ApplicationScoped
public class DispatcherReadiness extends RoleReadinessCheck {

    @Inject
    DispatcherConfig config;

    public DispatcherReadiness() {
        super(Role.DISPATCHER);
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("pool", config.pool());
    }
}
