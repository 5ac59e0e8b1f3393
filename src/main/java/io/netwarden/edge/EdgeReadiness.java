package io.netwarden.edge;

import io.netwarden.platform.Role;
import io.netwarden.platform.health.RoleReadinessCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the edge-node role. */
@Readiness
@ApplicationScoped
public class EdgeReadiness extends RoleReadinessCheck {

    @Inject
    EdgeConfig config;

    public EdgeReadiness() {
        super(Role.EDGE_NODE);
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("central", config.central());
    }
}
