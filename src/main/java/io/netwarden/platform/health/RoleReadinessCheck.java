package io.netwarden.platform.health;

import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.Lifecycle;
import io.netwarden.platform.lifecycle.RoleState;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Base of each role's readiness check: UP when the role is running (or not selected on this node), DOWN while it
 * starts, stops or has failed. Subclasses add their own details and conditions.
 */
public abstract class RoleReadinessCheck implements HealthCheck {

    @Inject
    Lifecycle lifecycle;

    private final Role role;

    protected RoleReadinessCheck(Role role) {
        this.role = role;
    }

    /** Role-specific details, shown only while the role is active. */
    protected Map<String, Object> details() {
        return Map.of();
    }

    /** A role-specific reason to be not ready although running, or null. */
    protected String notReadyReason() {
        return null;
    }

    @Override
    public HealthCheckResponse call() {
        RoleState state = lifecycle.state(role);
        HealthCheckResponseBuilder response = HealthCheckResponse.named("role " + role.id()).withData("state", state.name().toLowerCase());
        if (state == RoleState.INACTIVE) {
            return response.up().build();
        }
        details().forEach((key, value) -> response.withData(key, String.valueOf(value)));
        String reason = state.ready() ? notReadyReason() : "role is " + state.name().toLowerCase();
        if (reason != null) {
            return response.withData("reason", reason).down().build();
        }
        return response.up().build();
    }
}
