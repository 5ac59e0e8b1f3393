package io.netwarden.edge;

import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.platform.messaging.Subjects;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** The edge-node role's lifecycle entry point; validates its settings at start. Delivery arrives with the edge issue. */
@ApplicationScoped
public class EdgeService implements RoleService {

    private static final Logger LOG = Logger.getLogger(EdgeService.class);

    @Inject
    EdgeConfig config;

    @Override
    public Role role() {
        return Role.EDGE_NODE;
    }

    @Override
    public void start() {
        Subjects.requireToken("netwarden.edge.central", config.central());
        LOG.infof("edge-node: central=%s default-timeout=%s default-ttl=%s", config.central(), config.defaultTimeout(),
                config.defaultTtl());
    }
}
