package io.netwarden.dnc.agent;

import io.netwarden.platform.Role;
import io.netwarden.platform.health.RoleReadinessCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the agent role. */
@Readiness
@ApplicationScoped
public class AgentReadiness extends RoleReadinessCheck {

    @Inject
    AgentConfig config;

    public AgentReadiness() {
        super(Role.AGENT);
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("pool", config.pool());
    }
}
