package io.netwarden.dnc.dispatcher;

import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** The dispatcher role's lifecycle entry point; validates its settings at start. Dispatching arrives with the dnc issue. */
@ApplicationScoped
public class DispatcherService implements RoleService {

    private static final Logger LOG = Logger.getLogger(DispatcherService.class);

    @Inject
    DispatcherConfig config;

    @Override
    public Role role() {
        return Role.DISPATCHER;
    }

    @Override
    public void start() {
        if (config.jobTimeout().isNegative() || config.jobTimeout().isZero()) {
            throw new IllegalArgumentException("netwarden.dnc.dispatcher.job-timeout must be positive");
        }
        LOG.infof("dispatcher: pool=%s job-timeout=%s agent-timeout=%s", config.pool(), config.jobTimeout(),
                config.agentTimeout());
    }
}
