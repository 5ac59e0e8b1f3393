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

/**
 * gRPC calls carry the same bearer token as REST, in the {@code authorization} metadata entry; every service needs it.
 * A source sending wrong tokens is refused for a while ({@link FailedAuthLimiter}: while its bucket is empty, calls
 * get RESOURCE_EXHAUSTED without their token being looked at).
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
        String presented = BearerAuthFilter.bearer(headers.get(AUTHORIZATION));
        if (presented == null) {
            call.close(Status.UNAUTHENTICATED.withDescription("missing 'authorization: Bearer <token>' metadata"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        InetAddress source = sourceOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        if (limiter.limited(source)) {
            // not looked at while the source is slowed down: a guesser learns nothing; the right token works again
            // once the source's bucket has refilled
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many wrong API tokens from this address; try again in "
                    + Math.max(1, limiter.delay().toSeconds()) + " s"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (token.accepts(presented)) {
            return next.startCall(call, headers);
        }
        limiter.failed(source);
        call.close(Status.UNAUTHENTICATED.withDescription("invalid API token"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static InetAddress sourceOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
