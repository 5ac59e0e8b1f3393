package io.netwarden.platform.auth;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC calls carry the same bearer token as REST, in the {@code authorization} metadata entry; every service needs it.
 * A source sending wrong tokens is refused for a while ({@link FailedAuthLimiter}: while its bucket is empty, calls
 * get RESOURCE_EXHAUSTED without their token being looked at). A call to a method no service has never gets here (gRPC
 * answers UNIMPLEMENTED before any interceptor): {@link GrpcAuthRoute} asks this class about those first.
 */
@GlobalInterceptor
@ApplicationScoped
public class GrpcAuthInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    ApiToken token;

    @Inject
    FailedAuthLimiter limiter;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Iterable<String> given = headers.getAll(AUTHORIZATION);
        List<String> values = new ArrayList<>();
        if (given != null) {
            given.forEach(values::add);
        }
        Status refusal = refusal(values, sourceOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
        if (refusal == null) {
            return next.startCall(call, headers);
        }
        call.close(refusal, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /**
     * Why a call with these {@code authorization} values from {@code source} is refused, or null when its token is
     * right. More than one value is refused (two readers could pick different ones); a wrong token counts against the
     * source.
     */
    Status refusal(List<String> authorization, InetAddress source) {
        if (authorization.size() > 1) {
            return Status.UNAUTHENTICATED.withDescription("more than one 'authorization' entry; send one");
        }
        String presented = BearerAuthFilter.bearer(authorization.isEmpty() ? null : authorization.getFirst());
        if (presented == null) {
            return Status.UNAUTHENTICATED.withDescription("missing 'authorization: Bearer <token>' metadata");
        }
        if (limiter.limited(source)) {
            // not looked at while the source is slowed down: a guesser learns nothing; the right token works again
            // once the source's bucket has refilled
            return Status.RESOURCE_EXHAUSTED.withDescription("too many wrong API tokens from this address; try again in "
                    + Math.max(1, limiter.delay().toSeconds()) + " s");
        }
        if (token.accepts(presented)) {
            return null;
        }
        limiter.failed(source);
        return Status.UNAUTHENTICATED.withDescription("invalid API token");
    }

    private static InetAddress sourceOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
