package io.netwarden.dnc.agent;

import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** The agent role's lifecycle entry point; validates its settings at start. Job execution arrives with the dnc issue. */
@ApplicationScoped
public class AgentService implements RoleService {

    private static final Logger LOG = Logger.getLogger(AgentService.class);

    @Inject
    AgentConfig config;

    @Override
    public Role role() {
        return Role.AGENT;
    }

    @Override
    public void start() {
        if (config.maxConcurrentJobs() < 1) {
            throw new IllegalArgumentException("netwarden.dnc.agent.max-concurrent-jobs must be at least 1");
        }
        LOG.infof("agent: pool=%s heartbeat=%s max-concurrent-jobs=%d", config.pool(), config.heartbeatInterval(),
                config.maxConcurrentJobs());
    }
}
