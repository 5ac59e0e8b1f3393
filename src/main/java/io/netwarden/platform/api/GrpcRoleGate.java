package io.netwarden.platform.api;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.MutinyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The gRPC side of {@link RoleEndpoint}: a call to a service whose class is marked {@code @RoleEndpoint(role)} answers
 * UNIMPLEMENTED, naming the role, where that role is not active on this node, as the REST resources of the role answer
 * 404 ({@link RoleGateFilter}). Services without the mark (the node service) are always there.
 *
 * <pre>
 *   @GrpcService @RoleEndpoint(Role.DISPATCHER) class JobGrpcService implements JobService (Mutiny)
 *        └─ its generated twin JobServiceGrpc.SERVICE_NAME = "netwarden.dnc.v1.JobService" ─▶ dispatcher
 * </pre>
 *
 * The map from service name to role is built once, from the beans, at the first call. Runs after authentication (the
 * router authenticates gRPC first, see GrpcAuthRoute), so a stranger learns nothing about the roles. Thread safety: the
 * map is immutable once published through a volatile field.
 */
@GlobalInterceptor
@ApplicationScoped
public class GrpcRoleGate implements ServerInterceptor {

    private static final Logger LOG = Logger.getLogger(GrpcRoleGate.class);

    @Inject
    NodeIdentity node;

    @Inject
    BeanManager beans;

    private volatile Map<String, Role> roles;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Role role = roles().get(call.getMethodDescriptor().getServiceName());
        if (role == null || node.runs(role)) {
            return next.startCall(call, headers);
        }
        call.close(Status.UNIMPLEMENTED.withDescription("the " + role.id() + " role is not active on node " + node.name()
                + " (active roles: " + node.roles() + ")"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** gRPC service name → the role its implementation is marked with. */
    Map<String, Role> roles() {
        Map<String, Role> known = roles;
        if (known == null) {
            known = scan();
            roles = known;
        }
        return known;
    }

    private Map<String, Role> scan() {
        Map<String, Role> found = new HashMap<>();
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            RoleEndpoint endpoint = type.getAnnotation(RoleEndpoint.class);
            if (endpoint == null || !type.isAnnotationPresent(GrpcService.class)) {
                continue;
            }
            for (Class<?> contract : type.getInterfaces()) {
                if (MutinyService.class.isAssignableFrom(contract)) {
                    found.put(serviceName(contract), endpoint.value());
                }
            }
        }
        LOG.debugf("gRPC services by role: %s", found);
        return Map.copyOf(found);
    }

    /** The proto service name of a Mutiny service interface, from the grpc-java class generated beside it. */
    private static String serviceName(Class<?> mutinyInterface) {
        String generated = mutinyInterface.getName() + "Grpc";
        try {
            return (String) Class.forName(generated, false, mutinyInterface.getClassLoader()).getField("SERVICE_NAME").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no " + generated + ".SERVICE_NAME beside the gRPC service interface "
                    + mutinyInterface.getName(), e);
        }
    }
}
