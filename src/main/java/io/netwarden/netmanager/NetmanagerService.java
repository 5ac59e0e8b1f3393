package io.netwarden.netmanager;

import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** The netmanager role's lifecycle entry point; validates its settings at start. The overlay arrives with its issue. */
@ApplicationScoped
public class NetmanagerService implements RoleService {

    private static final Logger LOG = Logger.getLogger(NetmanagerService.class);

    @Inject
    NetmanagerConfig config;

    @Override
    public Role role() {
        return Role.NETMANAGER;
    }

    @Override
    public void start() {
        if (config.tunnelPort() < 1 || config.tunnelPort() > 65535) {
            throw new IllegalArgumentException("netwarden.netmanager.tunnel-port must be 1-65535, got " + config.tunnelPort());
        }
        LOG.infof("netmanager: mode=%s tunnel-port=%d mqtt=%s", config.mode(), config.tunnelPort(),
                config.mqtt().url().isPresent() ? "configured" : "off");
    }
}
