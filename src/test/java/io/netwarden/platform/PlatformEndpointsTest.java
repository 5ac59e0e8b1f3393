package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.netwarden.proto.platform.v1.GetNodeRequest;
import io.netwarden.proto.platform.v1.Node;
import io.netwarden.proto.platform.v1.NodeServiceGrpc;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Platform endpoints with embedded defaults: H2 file database, in-process bus, every role. */
@QuarkusTest
class PlatformEndpointsTest {

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Test
    void nodeDescribesThisProcess() {
        authed().get("/api/v1/node").then()
                .statusCode(200)
                .body("name", equalTo("test-node"))
                .body("instance", matchesPattern("[0-9a-f-]{36}"))
                .body("roles", equalTo(java.util.List.of("agent", "dispatcher", "registry", "edge-node", "netmanager")))
                .body("version", equalTo("0.1.0-SNAPSHOT"));
    }

    @Test
    void apiNeedsTheBearerToken() {
        given().get("/api/v1/node").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error", equalTo("unauthorized"))
                .body("message", containsString("missing Authorization header"));
        given().header("Authorization", "Bearer wrong").get("/api/v1/node").then().statusCode(401)
                .body("message", equalTo("invalid API token"));
        given().header("Authorization", "Basic dGVzdDp0ZXN0").get("/api/v1/node").then().statusCode(401);
        // unknown paths are not revealed without a token either
        given().get("/api/v1/no-such-thing").then().statusCode(401);
    }

    @Test
    void healthIsOpenAndReportsWhatTheRolesNeed() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("messaging", "kafka export", "Database connections health check",
                        "role agent", "role dispatcher", "role registry", "role edge-node", "role netmanager"))
                .body("checks.find { it.name == 'messaging' }.data.transport", equalTo("in-process bus"))
                .body("checks.find { it.name == 'Database connections health check' }.data.h2", equalTo("UP"))
                .body("checks.find { it.name == 'kafka export' }.data.enabled", equalTo(false))
                .body("checks.find { it.name == 'role registry' }.data.state", equalTo("running"))
                .body("checks.find { it.name == 'role registry' }.data.searchTerms", equalTo(Integer.toString(
                        authed().get("/api/v1/registry/search-terms").then().statusCode(200).extract().jsonPath()
                                .getList("urn").size())));
    }

    @Test
    void metricsHaveJvmAndHttpServerSeries() {
        authed().get("/api/v1/node").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
        assertTrue(metrics.contains("http_server_requests_seconds_count{"), "HTTP server metrics");
        assertTrue(metrics.contains("uri=\"/api/v1/node\""), "per-route HTTP metrics");
    }

    @Test
    void junkPathsCannotCrowdRealEndpointsOutOfTheMetrics() {
        // Given: more distinct junk paths than the uri tag limit (100), without a token and with one
        for (int i = 0; i < 150; i++) {
            given().get("/api/v1/junk-" + i).then().statusCode(401);
            authed().get("/junk-" + i).then().statusCode(404);
        }

        // When
        authed().get("/api/v1/node").then().statusCode(200);
        authed().get("/api/v1/loggers/ROOT").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

        // Then: the junk is counted under fixed labels, the real endpoints (templates) are still there
        assertFalse(metrics.contains("junk-"), "junk paths became uri labels");
        assertTrue(metrics.contains("uri=\"/api/v1/node\""), "per-route metrics still recorded");
        assertTrue(metrics.contains("uri=\"/api/v1/loggers/{name}\""), "templates, not paths");
        assertTrue(metrics.matches("(?s).*http_server_requests_seconds_count\\{[^}]*status=\"401\"[^}]*uri=\"UNKNOWN\".*"),
                "401s before routing counted under one label");
        assertTrue(metrics.matches("(?s).*http_server_requests_seconds_count\\{[^}]*status=\"404\"[^}]*uri=\"NOT_FOUND\".*"),
                "unknown paths counted under one label");
    }

    @Test
    void junkGrpcPathsAreCountedUnderOneLabel() throws Exception {
        // Given: calls of gRPC methods that do not exist, without a token (they answer HTTP 200 with a gRPC status)
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        try {
            for (int i = 0; i < 120; i++) {
                io.grpc.MethodDescriptor<byte[], byte[]> junk = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(io.grpc.MethodDescriptor.MethodType.UNARY).setFullMethodName("flood/F" + i)
                        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
                try {
                    io.grpc.stub.ClientCalls.blockingUnaryCall(channel, junk, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                            new byte[0]);
                } catch (StatusRuntimeException expected) {
                    // UNIMPLEMENTED or UNAUTHENTICATED
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        // Then
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        // the label filter sits on the registry itself: a raw path recorded by any code path (a reset request) is UNKNOWN
        io.micrometer.core.instrument.Timer raw = registry.timer("http.server.requests", "method", "POST", "status", "RESET",
                "uri", "/flood/raw-path", "outcome", "CLIENT_ERROR");
        assertEquals("UNKNOWN", raw.getId().getTag("uri"));
        assertFalse(metrics.contains("flood/F"), "junk gRPC paths became uri labels: "
                + metrics.lines().filter(l -> l.contains("flood/F")).limit(3).toList());
        assertTrue(metrics.contains("uri=\"GRPC_UNKNOWN\""), "counted under one label");
    }

    private static final io.grpc.MethodDescriptor.Marshaller<byte[]> BYTES = new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    @Test
    void openApiDocumentsEveryApiOperationWithBearerAuth() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.keySet()", hasItems("/api/v1/node", "/api/v1/loggers", "/api/v1/loggers/{name}",
                        "/api/v1/registry/search-terms"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("security[0].keySet()", hasItem("bearer"))
                .body("paths.'/api/v1/loggers/{name}'.put.summary", equalTo("Set a logger's level; effective at once"));
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    @Test
    void aLoggerLevelChangeTakesEffectAtOnce() {
        // Given
        String name = "io.netwarden.test.levels";
        Logger logger = Logger.getLogger(name);
        assertFalse(logger.isLoggable(org.jboss.logmanager.Level.DEBUG));

        // When
        authed().contentType("application/json").body("{\"level\":\"DEBUG\"}")
                .put("/api/v1/loggers/" + name).then().statusCode(200)
                .body("name", equalTo(name)).body("level", equalTo("DEBUG")).body("effectiveLevel", equalTo("DEBUG"));

        // Then
        assertTrue(logger.isLoggable(org.jboss.logmanager.Level.DEBUG));
        authed().get("/api/v1/loggers/" + name).then().statusCode(200).body("level", equalTo("DEBUG"));
        authed().get("/api/v1/loggers").then().statusCode(200)
                .body("find { it.name == '" + name + "' }.level", equalTo("DEBUG"))
                .body("find { it.name == 'ROOT' }.level", equalTo("INFO"));

        // When: reset to inherit
        authed().contentType("application/json").body("{\"level\":null}")
                .put("/api/v1/loggers/" + name).then().statusCode(200)
                .body("level", equalTo(null)).body("effectiveLevel", equalTo("INFO"));
        assertFalse(logger.isLoggable(org.jboss.logmanager.Level.DEBUG));
    }

    @Test
    void badInputGetsAClearJsonErrorAndChangesNothing() {
        String name = "io.netwarden.test.badinput";
        authed().contentType("application/json").body("{\"level\":\"WARN\"}").put("/api/v1/loggers/" + name).then().statusCode(200);

        authed().contentType("application/json").body("{\"level\":\"DEBUG\"").put("/api/v1/loggers/" + name).then()
                .statusCode(400).body("error", equalTo("malformed_json")).body("message", containsString("not valid JSON"));
        authed().contentType("application/json").body("{\"levle\":\"DEBUG\"}").put("/api/v1/loggers/" + name).then()
                .statusCode(400).body("error", equalTo("malformed_json")).body("message", equalTo("unknown field 'levle'"));
        authed().contentType("application/json").body("[\"DEBUG\"]").put("/api/v1/loggers/" + name).then()
                .statusCode(400).body("message", equalTo("expected a JSON object"));
        authed().contentType("application/json").body("{\"level\":\"LOUD\"}").put("/api/v1/loggers/" + name).then()
                .statusCode(400).body("error", equalTo("invalid_level")).body("message", containsString("LOUD"));
        authed().contentType("application/json").body("").put("/api/v1/loggers/" + name).then()
                .statusCode(400).body("error", equalTo("malformed_json"));
        authed().contentType("text/plain").body("DEBUG").put("/api/v1/loggers/" + name).then()
                .statusCode(415).body("error", equalTo("unsupported_media_type"));
        authed().contentType("application/json").body("{\"level\":\"INFO\"}").put("/api/v1/loggers/bad name").then()
                .statusCode(400).body("error", equalTo("invalid_logger"));

        // nothing changed
        authed().get("/api/v1/loggers/" + name).then().body("level", equalTo("WARN"));
        assertEquals(org.jboss.logmanager.Level.WARN, Logger.getLogger(name).getLevel());
    }

    @Test
    void unknownPathsAndMethodsAnswerJson() {
        authed().get("/api/v1/no-such-thing").then().statusCode(404)
                .contentType("application/json").body("error", equalTo("not_found"));
        authed().delete("/api/v1/node").then().statusCode(405).body("error", equalTo("method_not_allowed"));
        authed().get("/api/v1/loggers/never.created.logger").then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void registryWhitelistComesFromConfig() {
        // other tests add terms of their own to the shared app: only the configuration's tag is looked at
        authed().get("/api/v1/registry/search-terms").then().statusCode(200)
                .body("findAll { it.tag == 'RackHD' }.urn", equalTo(java.util.List.of("RackHD-service:api:1.1",
                        "RackHD-service:api:2.0")))
                .body("findAll { it.urn.startsWith('RackHD') }.tag", everyItem(equalTo("RackHD")));
    }

    @Test
    void grpcNodeServiceNeedsTheTokenToo() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        try {
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + io.netwarden.testing.Api.TOKEN);
            Node node = NodeServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                    .getNode(GetNodeRequest.getDefaultInstance());
            assertEquals("test-node", node.getName());
            assertEquals(5, node.getRolesCount());

            var denied = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> NodeServiceGrpc.newBlockingStub(channel).getNode(GetNodeRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, denied.getStatus().getCode());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutATokenGrpcDoesNotSayWhichMethodsExist() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        try {
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + io.netwarden.testing.Api.TOKEN);
            io.grpc.MethodDescriptor<byte[], byte[]> missing = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(io.grpc.MethodDescriptor.MethodType.UNARY).setFullMethodName("netwarden.dnc.v1.JobService/Nope")
                    .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
            io.grpc.CallOptions options = io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
            // no token: the same answer for a method that exists and one that does not
            for (io.grpc.MethodDescriptor<?, ?> method : java.util.List.of(missing, NodeServiceGrpc.getGetNodeMethod())) {
                @SuppressWarnings("unchecked")
                io.grpc.MethodDescriptor<Object, Object> any = (io.grpc.MethodDescriptor<Object, Object>) method;
                Object request = method == missing ? new byte[0] : GetNodeRequest.getDefaultInstance();
                var denied = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, any, options, request));
                assertEquals(Status.Code.UNAUTHENTICATED, denied.getStatus().getCode(), method.getFullMethodName());
                assertTrue(denied.getStatus().getDescription().contains("authorization"), denied.getStatus().toString());
            }
            // a right token and a wrong one: refused alike, whichever a reader would take
            Metadata twice = new Metadata();
            Metadata.Key<String> authorization = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
            twice.put(authorization, "Bearer " + io.netwarden.testing.Api.TOKEN);
            twice.put(authorization, "Bearer wrong-token-0123456789abcdef");
            io.grpc.Channel doubled = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(twice));
            for (io.grpc.MethodDescriptor<?, ?> method : java.util.List.of(missing, NodeServiceGrpc.getGetNodeMethod())) {
                @SuppressWarnings("unchecked")
                io.grpc.MethodDescriptor<Object, Object> any = (io.grpc.MethodDescriptor<Object, Object>) method;
                Object request = method == missing ? new byte[0] : GetNodeRequest.getDefaultInstance();
                var denied = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> io.grpc.stub.ClientCalls.blockingUnaryCall(doubled, any, options, request));
                assertEquals(Status.Code.UNAUTHENTICATED, denied.getStatus().getCode(), method.getFullMethodName());
                assertTrue(denied.getStatus().getDescription().contains("more than one"), denied.getStatus().toString());
            }
            // with the token, gRPC itself tells what is not there
            io.grpc.Channel authed = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth));
            var unimplemented = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> io.grpc.stub.ClientCalls.blockingUnaryCall(authed, missing, options, new byte[0]));
            assertEquals(Status.Code.UNIMPLEMENTED, unimplemented.getStatus().getCode());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void secretsDoNotAppearInNodeOrHealthOutput() {
        String all = authed().get("/api/v1/node").asString() + given().get("/q/health/ready").asString();
        org.hamcrest.MatcherAssert.assertThat(all, not(containsString(io.netwarden.testing.Api.TOKEN)));
    }
}
