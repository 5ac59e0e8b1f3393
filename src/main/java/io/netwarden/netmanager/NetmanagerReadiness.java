package io.netwarden.netmanager;

import io.netwarden.platform.Role;
import io.netwarden.platform.health.RoleReadinessCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.health.Readiness;

/** Readiness of the netmanager role: its mode, and whether the MQTT link to the cluster is up. */
@Readiness
@ApplicationScoped
public class NetmanagerReadiness extends RoleReadinessCheck {

    @Inject
    NetmanagerConfig config;

    @Inject
    NetmanagerService service;

    public NetmanagerReadiness() {
        super(Role.NETMANAGER);
    }

    @Override
    protected Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mode", config.mode());
        service.mqtt().ifPresent(link -> details.put("mqtt", link.connected() ? "connected" : "disconnected"));
        return details;
    }

    /** A cluster without its broker answers no node: not ready until the link is up. */
    @Override
    protected String notReadyReason() {
        if (config.mode() == NetmanagerConfig.Mode.node && config.mqtt().url().isPresent() && service.mqtt().isEmpty()) {
            return "not registered with the cluster yet (it is tried again; see the log)";
        }
        return service.mqtt().filter(link -> !link.connected())
                .map(link -> "no connection to the MQTT broker " + link.settings().describe()).orElse(null);
    }
}
