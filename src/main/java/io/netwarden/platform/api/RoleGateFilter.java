package io.netwarden.platform.api;

import io.netwarden.platform.NodeIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/** Answers 404 for resources of a role that this node does not run (after authentication). */
public class RoleGateFilter {

    @Inject
    NodeIdentity node;

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public Response gate(SimpleResourceInfo resource) {
        RoleEndpoint endpoint = resource.getResourceClass().getAnnotation(RoleEndpoint.class);
        if (endpoint == null || node.runs(endpoint.value())) {
            return null;
        }
        return ApiExceptionMapper.respond(404, "role_not_active", "the " + endpoint.value().id()
                + " role is not active on node " + node.name() + " (active roles: " + node.roles() + ")");
    }
}
