package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.netwarden.proto.dnc.v1.JobServiceGrpc;
import io.netwarden.proto.dnc.v1.SubmitJobRequest;
import io.netwarden.testing.Api;
import io.netwarden.testing.RawHttp;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Bad input, as an attacker or a broken client sends it: a clear 4xx with the JSON error, nothing changed, nothing leaked. */
@QuarkusTest
class BadInputTest {

    private static String unique() {
        return "bad-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String log() throws Exception {
        return Files.readString(Path.of("target/quarkus-test.log"));
    }

    @Test
    void anOidOfThousandsOfSubIdentifiersIsA400NotAStackOverflow() throws Exception {
        // Given
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        String huge = IntStream.range(0, 6000).mapToObj(i -> "1").collect(Collectors.joining("."));
        long logBefore = log().length();

        // When / Then: REST
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"" + huge + "\"]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("malformed_oid"));
        // and gRPC
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", RestAssured.port).usePlaintext().build();
        try {
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + Api.TOKEN);
            var jobs = JobServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> jobs.submit(SubmitJobRequest.newBuilder().setElement(element).setOperation("snmp.get").addOids(huge).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        String logged = log().substring((int) logBefore);
        assertFalse(logged.contains("StackOverflowError"), logged);
        assertTrue(logged.lines().count() < 20, "a bad OID is not worth a page of log: " + logged.lines().count());
    }

    @Test
    void oidsMustStartWithZeroOneOrTwo() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        for (String oid : new String[] {"3.6.1", "1.40.1", "1..3", "1.3.", "1.3.6.1.a", "1.99999999999", "1", "+1.3"}) {
            authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"" + oid + "\"]}")
                    .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("malformed_oid"));
        }
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"2.999.1\"]}")
                .post("/api/v1/jobs").then().statusCode(202);
    }

    @Test
    void jsonMeansExactlyWhatItSays() {
        String name = unique();
        String[] bodies = {
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":\"public\"}} trailing",
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":\"public\"}}{}",
            "{\"name\":\"" + name + "\",\"name\":\"other\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":\"public\"}}",
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"port\":\"162\",\"community\":\"public\"}}",
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"port\":161.9,\"community\":\"public\"}}",
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"retries\":true,\"community\":\"public\"}}",
            "[".repeat(200) + "]".repeat(200),
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"timeout\":30,\"community\":\"public\"}}",
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":12345}}",
            "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"vendor\":true,\"snmp\":{\"community\":\"public\"}}",
        };
        for (String body : bodies) {
            authed().contentType("application/json").body(body).post("/api/v1/elements").then()
                    .statusCode(400).body("error", equalTo("malformed_json"));
        }
        authed().get("/api/v1/elements/" + name).then().statusCode(404);
    }

    @Test
    void aJobTakesOidsOrCommandsNotBothNorNumbersForThem() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6\"],\"commands\":[\"reload\"]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("invalid_job"));
        authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[1.3]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("malformed_json"));
    }

    @Test
    void aJobTimeoutOfZeroOrLessIsRefused() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        for (String timeout : new String[] {"0s", "0", "-1s", "PT-5S"}) {
            authed().contentType("application/json")
                    .body("{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"],\"timeout\":\"" + timeout + "\"}")
                    .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("invalid_duration"));
        }
    }

    @Test
    void aTelnetCommandIsOneLineWithoutControlCharacters() {
        String element = TestElements.telnet(TestEnv.telnetPassword());
        for (String command : new String[] {"show ver\\r\\nreload", "show ver\\u0000", "\\u0003", "show\\u001b[2J", "show\\u2028reload"}) {
            String message = authed().contentType("application/json")
                    .body("{\"element\":\"" + element + "\",\"operation\":\"telnet.command\",\"commands\":[\"show clock\",\"" + command + "\"]}")
                    .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("invalid_command")).extract().path("message");
            assertTrue(message.startsWith("commands[1] holds a control"), command + ": " + message);
            assertFalse(message.contains("reload"), message);
        }
    }

    @Test
    void queryParametersThatAreNotNumbersAre400NotA404() {
        authed().get("/api/v1/elements?limit=abc").then().statusCode(400).body("error", equalTo("invalid_parameter"))
                .body("message", containsString("limit"));
        authed().get("/api/v1/jobs?offset=-1").then().statusCode(400).body("error", equalTo("invalid_parameter"));
        authed().get("/api/v1/jobs?limit=99999999999999999999").then().statusCode(400).body("error", equalTo("invalid_parameter"));
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        authed().get("/api/v1/elements/" + element + "/samples?limit=1e3").then().statusCode(400).body("error", equalTo("invalid_parameter"));
        authed().delete("/api/v1/elements/" + element + "/lock?force=yes").then().statusCode(400).body("error", equalTo("invalid_parameter"));
    }

    @Test
    void controlAndBidiCharactersAreRefusedAndNeverEchoed() throws Exception {
        String name = unique();
        String[][] cases = {
            {"address", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\\u0000\",\"snmp\":{\"community\":\"public\"}}"},
            {"address", "{\"name\":\"" + name + "\",\"address\":\"evil.example\\nINFO forged\",\"snmp\":{\"community\":\"public\"}}"},
            {"vendor", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"vendor\":\"cisco\\u202Eelif\",\"snmp\":{\"community\":\"public\"}}"},
            {"model", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"model\":\"ios\\u001b[31m\",\"snmp\":{\"community\":\"public\"}}"},
            {"snmp.community", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":\"pub\\r\\nlic\"}}"},
            {"telnet.password", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"telnet\":{\"username\":\"u\",\"password\":\"p\\r\\nreload\"}}"},
        };
        for (String[] c : cases) {
            String message = authed().contentType("application/json").body(c[1]).post("/api/v1/elements").then()
                    .statusCode(400).body("error", equalTo("invalid_element")).extract().path("message");
            assertTrue(message.startsWith(c[0] + " "), c[0] + ": " + message);
            assertFalse(message.contains("forged") || message.contains("elif") || message.contains("reload"), message);
        }
        authed().get("/api/v1/elements/" + name).then().statusCode(404);
        assertFalse(log().contains("INFO forged"), "a forged log line");
    }

    @Test
    void vendorAndModelCannotBePathsNorAddressesSomethingElse() {
        String name = unique();
        for (String[] c : new String[][] {{"vendor", "../secret"}, {"vendor", "a/b"}, {"model", ".."}, {"model", "x\\\\y"},
                {"address", "127.0.0.1:22"}, {"address", "http://router"}, {"address", "-router"}, {"address", "a..b"}}) {
            String body = "{\"name\":\"" + name + "\",\"address\":\"" + (c[0].equals("address") ? c[1] : "127.0.0.1") + "\","
                    + (c[0].equals("address") ? "" : "\"" + c[0] + "\":\"" + c[1] + "\",") + "\"snmp\":{\"community\":\"c\"}}";
            String message = authed().contentType("application/json").body(body).post("/api/v1/elements").then()
                    .statusCode(400).body("error", equalTo("invalid_element")).extract().path("message");
            assertTrue(message.startsWith(c[0] + " "), c[1] + ": " + message);
        }
        for (String good : new String[] {"192.0.2.10", "2001:db8::1", "fe80::1%eth0", "router-1.example.net", "R1"}) {
            authed().contentType("application/json").body("{\"address\":\"" + good + "\",\"vendor\":\"Juniper Networks\","
                    + "\"model\":\"MX960 (lab)\",\"snmp\":{\"community\":\"c\"}}").put("/api/v1/elements/" + name).then()
                    .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }
    }

    @Test
    void everyColumnLimitIsA400NamingTheFieldWithoutItsValue() throws Exception {
        String name = unique();
        String secret = "S3cr3t-" + "x".repeat(300);
        String[][] cases = {
            {"snmp.community", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":\"" + secret + "\"}}"},
            {"telnet.password", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"telnet\":{\"username\":\"u\",\"password\":\"" + secret + "\"}}"},
            {"snmp.authPassword", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"version\":\"v3\",\"user\":\"u\","
                    + "\"authProtocol\":\"SHA\",\"authPassword\":\"" + secret + "\"}}"},
            {"snmp.user", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"version\":\"v3\",\"user\":\"" + "u".repeat(33) + "\"}}"},
            {"vendor", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"vendor\":\"" + "v".repeat(65) + "\",\"snmp\":{\"community\":\"c\"}}"},
            {"model", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"model\":\"" + "m".repeat(65) + "\",\"snmp\":{\"community\":\"c\"}}"},
            {"address", "{\"name\":\"" + name + "\",\"address\":\"" + "a".repeat(256) + "\",\"snmp\":{\"community\":\"c\"}}"},
            {"telnet.username", "{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"telnet\":{\"username\":\"" + "u".repeat(256) + "\"}}"},
        };
        for (String[] c : cases) {
            String message = authed().contentType("application/json").body(c[1]).post("/api/v1/elements").then()
                    .statusCode(400).body("error", equalTo("invalid_element")).extract().path("message");
            assertTrue(message.startsWith(c[0] + " is longer than"), c[0] + ": " + message);
        }
        authed().get("/api/v1/elements/" + name).then().statusCode(404);
        String log = log();
        assertFalse(log.contains("S3cr3t-"), "the credential reached the log");
        assertFalse(log.contains("element " + name + " created"), "a creation was logged although nothing was stored");
        try (var files = Files.walk(Path.of("target/test-data"))) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".trace.db")), "an H2 trace file");
        }
    }

    @Test
    void switchingToV3DropsTheCommunityAndNullClearsACredential() {
        // Given
        String name = unique();
        authed().contentType("application/json").body("""
                {"name":"%s","address":"127.0.0.1","snmp":{"version":"v2c","community":"old-community"},
                 "telnet":{"username":"u","password":"old-password"}}""".formatted(name))
                .post("/api/v1/elements").then().statusCode(201);

        // When: v3, and the telnet password set to null
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","snmp":{"version":"v3","user":"nwv3","authProtocol":"SHA","authPassword":"auth-pass-1"},
                 "telnet":{"username":"u","password":null}}""")
                .put("/api/v1/elements/" + name).then().statusCode(200)
                .body("snmp.community", nullValue()).body("snmp.authPassword", equalTo("<secret>"))
                .body("telnet.password", nullValue());

        // Then: a PUT that leaves credentials out keeps what is stored, and a community cannot come back under v3
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","snmp":{"version":"v3","user":"nwv3","authProtocol":"SHA"},"telnet":{"username":"u"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(200).body("snmp.authPassword", equalTo("<secret>"))
                .body("telnet.password", nullValue());
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","snmp":{"version":"v3","user":"nwv3","authProtocol":"SHA","community":"c"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(400).body("message", containsString("snmp.community is for v1 and v2c"));
        // and back to v2c: the v3 user and passwords go
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","snmp":{"version":"v2c","community":"new-community"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(200)
                .body("snmp.user", nullValue()).body("snmp.authPassword", nullValue()).body("snmp.community", equalTo("<secret>"));
    }

    @Test
    void aStoredCredentialIsNeverSentToANewTarget() {
        // Given
        String name = unique();
        authed().contentType("application/json").body("""
                {"name":"%s","address":"127.0.0.1","snmp":{"community":"stored-community"},
                 "telnet":{"port":2323,"username":"u","password":"stored-password"}}""".formatted(name))
                .post("/api/v1/elements").then().statusCode(201);

        // When / Then: pointing the element elsewhere while keeping (or leaving out) a credential is refused
        authed().contentType("application/json").body("""
                {"address":"127.0.0.5","snmp":{"community":"<secret>"},"telnet":{"port":2323,"username":"u","password":"<secret>"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(400)
                .body("message", containsString("must be sent again: the element's address or port changes"));
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","snmp":{"community":"new-community"},"telnet":{"port":2324,"username":"u"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(400).body("message", startsWith("telnet.password must be sent again"));
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","snmp":{"port":1161},"telnet":{"port":2323,"username":"u"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(400).body("message", startsWith("snmp.community must be sent again"));
        // while the same target keeps them, and a new target with new credentials is fine
        authed().contentType("application/json").body("""
                {"address":"127.0.0.1","vendor":"v2","snmp":{},"telnet":{"port":2323,"username":"u"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(200).body("snmp.community", equalTo("<secret>"));
        authed().contentType("application/json").body("""
                {"address":"127.0.0.5","snmp":{"community":"c2"},"telnet":{"port":2323,"username":"u","password":"p2"}}""")
                .put("/api/v1/elements/" + name).then().statusCode(200);
    }

    @Test
    void sqlParameterLoggersStayQuietWhateverTheApiAsks() throws Exception {
        for (String logger : new String[] {"org.hibernate.orm.jdbc.bind", "org.hibernate.orm.jdbc.bind.sub", "org.postgresql",
                "org.hibernate", "org.hibernate.orm.core",
                "org.hibernate.engine.jdbc.spi.SqlExceptionHelper"}) {
            authed().contentType("application/json").body("{\"level\":\"TRACE\"}").put("/api/v1/loggers/" + logger).then()
                    .statusCode(400).body("error", equalTo("protected_logger")).body("message", containsString("credentials"));
        }
        authed().contentType("application/json").body("{\"level\":null}").put("/api/v1/loggers/org.hibernate.orm.jdbc.bind")
                .then().statusCode(400).body("error", equalTo("protected_logger"));
        // a verbose ROOT does not reach them: they have levels of their own
        String community = "traced-community-" + UUID.randomUUID();
        try {
            // the test's own HTTP client shares this JVM's log manager and would print what it sends at DEBUG
            authed().contentType("application/json").body("{\"level\":\"INFO\"}").put("/api/v1/loggers/org.apache.http").then().statusCode(200);
            authed().contentType("application/json").body("{\"level\":\"TRACE\"}").put("/api/v1/loggers/ROOT").then().statusCode(200);
            authed().get("/api/v1/loggers/org.hibernate.orm.jdbc.bind").then().statusCode(200).body("effectiveLevel", equalTo("INFO"));
            // and with everything else at TRACE, an element's credential reaches no log line (Hibernate prints entities)
            String name = unique();
            authed().contentType("application/json").body("{\"name\":\"" + name + "\",\"address\":\"127.0.0.1\",\"snmp\":{\"community\":\""
                    + community + "\"}}").post("/api/v1/elements").then().statusCode(201);
            authed().contentType("application/json").body("{\"address\":\"127.0.0.2\",\"snmp\":{\"community\":\"" + community + "\"}}")
                    .put("/api/v1/elements/" + name).then().statusCode(200);
            authed().get("/api/v1/elements/" + name).then().statusCode(200);
            assertFalse(log().contains(community), "a credential in the log at TRACE");
        } finally {
            authed().contentType("application/json").body("{\"level\":\"INFO\"}").put("/api/v1/loggers/ROOT").then().statusCode(200);
            authed().contentType("application/json").body("{\"level\":null}").put("/api/v1/loggers/org.apache.http").then().statusCode(200);
        }
    }

    @Test
    void oversizedRequestsGetAJsonErrorToo() throws Exception {
        int port = RestAssured.port;
        InetAddress here = InetAddress.getLoopbackAddress();
        // a request line over 8 KiB
        RawHttp.Answer longUri = RawHttp.send(port, "GET", "/api/v1/elements/" + "a".repeat(9000), Api.TOKEN, null);
        assertEquals(414, longUri.status());
        assertTrue(longUri.body().startsWith("{\"error\":\"uri_too_long\""), longUri.body());
        // headers over 16 KiB
        RawHttp.Answer bigHeaders = RawHttp.exchange(here, port, ("GET /api/v1/node HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "X-Filler: " + "f".repeat(20_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), new byte[0]);
        assertEquals(431, bigHeaders.status());
        assertTrue(bigHeaders.body().startsWith("{\"error\":\"headers_too_large\""), bigHeaders.body());
        // a body over the limit, announced by Content-Length
        RawHttp.Answer bigBody = RawHttp.exchange(here, port, ("POST /api/v1/elements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + Api.TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), "{".getBytes(StandardCharsets.US_ASCII));
        assertEquals(413, bigBody.status());
        assertTrue(bigBody.body().startsWith("{\"error\":\"body_too_large\""), bigBody.body());
        // a request without Host, and one for no path at all: the router's own answers are JSON too
        RawHttp.Answer noHost = RawHttp.exchange(here, port, "GET /api/v1/node HTTP/1.1\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), new byte[0]);
        assertEquals(400, noHost.status());
        assertTrue(noHost.body().startsWith("{\"error\":\"bad_request\""), noHost.body());
        RawHttp.Answer star = RawHttp.exchange(here, port, "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), new byte[0]);
        assertEquals(404, star.status());
        assertTrue(star.body().startsWith("{\"error\":\"not_found\""), star.body());
        // a body of unknown length
        RawHttp.Answer chunked = RawHttp.exchange(here, port, ("POST /api/v1/elements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + Api.TOKEN + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(411, chunked.status());
        assertTrue(chunked.body().startsWith("{\"error\":\"length_required\""), chunked.body());
    }

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    @Test
    void overHttp2TheRefusalsHaveTheirJsonBodyToo() throws Exception {
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
                .setDefaultHost("127.0.0.1").setDefaultPort(RestAssured.port));
        try {
            record Case(String path, Map<String, String> headers, int status, String error) {
            }
            for (Case c : List.of(new Case("/api/v1/%", Map.of(), 400, "bad_request"),
                    new Case("/api/v1/a%zzb", Map.of(), 400, "bad_request"),
                    new Case("/api/v1/elements/" + "a".repeat(9000), Map.of(), 414, "uri_too_long"),
                    new Case("/api/v1/node", Map.of("x-filler", "f".repeat(20_000)), 431, "headers_too_large"))) {
                io.vertx.core.http.RequestOptions options = new io.vertx.core.http.RequestOptions().setURI(c.path())
                        .addHeader("authorization", "Bearer " + Api.TOKEN);
                c.headers().forEach(options::addHeader);
                io.vertx.core.buffer.Buffer body = client.request(options)
                        .compose(request -> request.send().compose(response -> {
                            assertEquals(io.vertx.core.http.HttpVersion.HTTP_2, response.version());
                            assertEquals(c.status(), response.statusCode(), c.path());
                            return response.body();
                        })).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertTrue(body.toString().startsWith("{\"error\":\"" + c.error() + "\""), c.path() + ": " + body);
            }
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRequestPipelinedAfterARefusedOneIsAnsweredToo() throws Exception {
        // Vert.x refuses a path it cannot decode and keeps the connection: the next request must get its answer
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /% HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/node HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + Api.TOKEN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String both = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int second = both.indexOf("HTTP/1.1 200");
            assertTrue(both.startsWith("HTTP/1.1 400") && second > 0, both);
            String first = both.substring(0, second);
            int length = Integer.parseInt(first.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
            assertEquals(first.length() - first.indexOf("\r\n\r\n") - 4, length, "the first answer is framed: " + first);
            assertTrue(first.endsWith("}") && first.contains("{\"error\":\"bad_request\""), first);
            assertTrue(both.substring(second).contains("\"name\":\"test-node\""), both);
        }
    }

    @Test
    void requestsVertxRefusesBeforeAnyRouteGetAJsonErrorToo() throws Exception {
        InetAddress here = InetAddress.getLoopbackAddress();
        int port = RestAssured.port;
        // beyond Vert.x' own 64 KiB limits it answers itself, before RequestLimits sees the request
        RawHttp.Answer hugeUri = RawHttp.exchange(here, port, ("GET /api/v1/elements/" + "a".repeat(70_000)
                + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII), new byte[0]);
        assertEquals(414, hugeUri.status());
        assertTrue(hugeUri.body().startsWith("{\"error\":\"uri_too_long\""), hugeUri.head() + "\n" + hugeUri.body());
        RawHttp.Answer hugeHeaders = RawHttp.exchange(here, port, ("GET /api/v1/node HTTP/1.1\r\nHost: x\r\n"
                + "X-Filler: " + "f".repeat(70_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), new byte[0]);
        assertEquals(431, hugeHeaders.status());
        assertTrue(hugeHeaders.body().startsWith("{\"error\":\"headers_too_large\""), hugeHeaders.head() + "\n" + hugeHeaders.body());
        // a request line HTTP cannot parse
        for (String line : new String[] {"GET /api/v1/node HTTP/1.x", "GET /api/v1/\\node HTTP/1.1", "GET /a b c HTTP/1.1"}) {
            RawHttp.Answer bad = RawHttp.exchange(here, port, (line + "\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), new byte[0]);
            assertTrue(bad.status() == 400 || bad.status() == 401 || bad.status() == 404, line + ": " + bad.status());
            assertTrue(bad.body().startsWith("{\"error\":"), line + ": " + bad.head() + "\n" + bad.body());
        }
    }

    @Test
    void anUnknownOperationIsNotEchoedBack() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"operation\":\"" + "x".repeat(5000) + "\",\"oids\":[\"1.3.6\"]}")
                .post("/api/v1/jobs").then().statusCode(400).body("error", equalTo("unknown_operation"))
                .body("message", not(containsString("xxxx")));
    }
}
