package io.netwarden.platform.http;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the {@code uri} label of the HTTP server metrics to what this process serves, whatever paths clients send.
 * Quarkus labels a request by its route template, but falls back to the raw path for a gRPC method that does not exist
 * (answered with HTTP 200 and a gRPC status) and for a request the client reset (status {@code RESET}, before or after
 * routing) — and anyone can send those: 120 of them used to push real endpoints out of the 100-label limit.
 *
 * <pre>
 *   request ─▶ contribute(): gRPC path of a method of ours ─▶ kept;  other gRPC path ─▶ GRPC_UNKNOWN
 *                             route template seen ─▶ remembered as a known label
 *   meter registered ─▶ filter: uri a known label (templates seen, our gRPC methods, Quarkus' fixed ones) ─▶ kept
 *                                 anything else (a raw path) ─▶ UNKNOWN
 * </pre>
 *
 * <p>Thread safety: the known labels are a concurrent set, bounded ({@link #MAX_KNOWN}); the gRPC paths are built once.
 */
@ApplicationScoped
public class MetricLabels implements HttpServerMetricsTagsContributor {

    static final String UNKNOWN = "UNKNOWN";
    static final String GRPC_UNKNOWN = "GRPC_UNKNOWN";
    private static final Set<String> FIXED = Set.of(UNKNOWN, GRPC_UNKNOWN, "NOT_FOUND", "REDIRECTION", "root");
    /** Route templates come from code, so there are few; the bound only guards against a surprise. */
    static final int MAX_KNOWN = 2000;

    @Inject
    @Any
    Instance<BindableService> services;

    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Paths of this process' gRPC methods; built on first use (package-private for tests). */
    volatile Set<String> grpcMethods;

    @Override
    public Tags contribute(Context context) {
        String type = context.request().getHeader("content-type");
        if (type != null && type.startsWith("application/grpc")) {
            String path = context.request().path();
            return Tags.of("uri", path != null && grpcMethods().contains(path) ? path : GRPC_UNKNOWN);
        }
        if (context.requestContextLocalData("UrlPathTemplate") instanceof String route) {
            learn(route);
        }
        return Tags.empty();
    }

    /** A route template a request was matched to: a label worth keeping. */
    void learn(String template) {
        if (known.size() < MAX_KNOWN) {
            known.add(template);
        }
    }

    /** Whether a {@code uri} label names something this process serves, not a path a client made up. */
    boolean allowed(String uri) {
        return FIXED.contains(uri) || known.contains(uri) || grpcMethods().contains(uri);
    }

    private Set<String> grpcMethods() {
        Set<String> paths = grpcMethods;
        if (paths == null) {
            List<String> all = new ArrayList<>();
            for (BindableService service : services) {
                for (var method : service.bindService().getServiceDescriptor().getMethods()) {
                    all.add("/" + ((MethodDescriptor<?, ?>) method).getFullMethodName());
                }
            }
            paths = Set.copyOf(all);
            grpcMethods = paths;
        }
        return paths;
    }

    /** The filter that applies {@link #allowed} to every HTTP server meter as it is registered. */
    @Singleton
    static class UriFilter implements MeterFilter {

        @Inject
        MetricLabels labels;

        @Override
        public Meter.Id map(Meter.Id id) {
            if (!id.getName().startsWith("http.server.")) {
                return id;
            }
            String uri = id.getTag("uri");
            if (uri == null || labels.allowed(uri)) {
                return id;
            }
            List<Tag> tags = new ArrayList<>();
            for (Tag tag : id.getTagsAsIterable()) {
                tags.add(tag.getKey().equals("uri") ? Tag.of("uri", UNKNOWN) : tag);
            }
            return id.replaceTags(tags);
        }
    }
}
