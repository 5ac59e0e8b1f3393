package io.netwarden.platform.auth;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * gRPC calls carry the same bearer token as REST, in the {@code authorization} metadata entry; every service needs it.
 * Wrong tokens are slowed down per source as over REST ({@link FailedAuthLimiter}).
 */
@GlobalInterceptor
@ApplicationScoped
public class GrpcAuthInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    ApiToken token;

    @Inject
    FailedAuthLimiter limiter;

    @Inject
    Vertx vertx;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String presented = BearerAuthFilter.bearer(headers.get(AUTHORIZATION));
        if (presented == null) {
            call.close(Status.UNAUTHENTICATED.withDescription("missing 'authorization: Bearer <token>' metadata"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (token.accepts(presented)) {
            return next.startCall(call, headers);
        }
        InetAddress source = sourceOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        Status tooMany = Status.RESOURCE_EXHAUSTED.withDescription("too many wrong API tokens from this address; answers are slowed down");
        switch (limiter.failed(source)) {
            case REJECT -> call.close(Status.UNAUTHENTICATED.withDescription("invalid API token"), new Metadata());
            case REFUSE -> call.close(tooMany, new Metadata());
            case DELAY -> {
                Context context = Vertx.currentContext();
                vertx.setTimer(Math.max(1, limiter.delay().toMillis()), id -> {
                    Runnable close = () -> {
                        try {
                            call.close(tooMany, new Metadata());
                        } finally {
                            limiter.delayedAnswerSent(source);
                        }
                    };
                    if (context != null) {
                        context.runOnContext(v -> close.run());
                    } else {
                        close.run();
                    }
                });
            }
        }
        return new ServerCall.Listener<>() {
        };
    }

    private static InetAddress sourceOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
