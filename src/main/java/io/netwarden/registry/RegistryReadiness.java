package io.netwarden.registry;

import io.netwarden.platform.Role;
import io.netwarden.platform.health.RoleReadinessCheck;
import io.netwarden.registry.whitelist.SearchTerms;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the registry role. */
@Readiness
@ApplicationScoped
public class RegistryReadiness extends RoleReadinessCheck {

    @Inject
    RegistryConfig config;

    @Inject
    SearchTerms searchTerms;

    public RegistryReadiness() {
        super(Role.REGISTRY);
    }

    @Override
    protected Map<String, Object> details() {
        return Map.of("backend", config.backend(), "searchTerms", searchTerms.list().size());
    }
}
