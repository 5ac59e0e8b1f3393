package io.netwarden.platform.http;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.micrometer.core.instrument.Tags;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Set;

/**
 * gRPC calls share the HTTP port, and each path would become a {@code uri} label of the HTTP server metrics — also the
 * path of a method that does not exist, which anyone can send (it answers with HTTP 200 and a gRPC status, so the 4xx
 * rule does not catch it). Paths of this process' gRPC methods keep their label; every other gRPC path is counted as
 * {@code GRPC_UNKNOWN}, so junk cannot fill the label limit and push real endpoints out of {@code /q/metrics}.
 *
 * <p>Thread safety: the set of known paths is built once, lazily, and only read afterwards.
 */
@ApplicationScoped
public class GrpcMetricLabels implements HttpServerMetricsTagsContributor {

    static final String UNKNOWN = "GRPC_UNKNOWN";

    @Inject
    @Any
    Instance<BindableService> services;

    private volatile Set<String> known;

    @Override
    public Tags contribute(Context context) {
        String type = context.request().getHeader("content-type");
        if (type == null || !type.startsWith("application/grpc")) {
            return Tags.empty();
        }
        String path = context.request().path();
        return Tags.of("uri", path != null && known().contains(path) ? path : UNKNOWN);
    }

    private Set<String> known() {
        Set<String> paths = known;
        if (paths == null) {
            paths = new HashSet<>();
            for (BindableService service : services) {
                for (var method : service.bindService().getServiceDescriptor().getMethods()) {
                    paths.add("/" + ((MethodDescriptor<?, ?>) method).getFullMethodName());
                }
            }
            known = Set.copyOf(paths);
        }
        return paths;
    }
}
