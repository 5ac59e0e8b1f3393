package io.netwarden.platform.auth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.Api;
import io.netwarden.testing.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The API as an attacker without the token sees it: every operation the OpenAPI document lists, under every spelling
 * of its path that a router might decode or normalise, answers 401 or 404 — never a 2xx, never a 5xx. What Quarkus
 * serves outside the REST layer is on an explicit allow-list.
 */
@QuarkusTest
class ApiAuthenticationTest {

    /** Paths open without a token; everything else is the REST layer (which needs it) or gRPC (which needs it too). */
    private static final List<String> OPEN = List.of("/q/health", "/q/health-ui", "/q/metrics", "/q/openapi",
            "/q/openapi.json", "/q/openapi.yaml", "/q/openapi.yml", "/q/swagger-ui");

    @Inject
    Router router;

    /** Different spellings of one path that a router may decode or normalise to the same resource. */
    static List<UnaryOperator<String>> spellings() {
        return List.of(
                p -> p,
                p -> p + "/",
                ApiAuthenticationTest::encodeFirstCharOfEverySegment,
                p -> p.replaceFirst("^/api/", "/%61%70%69/"),
                p -> p.replaceFirst("/v1/", "/v%31/"),
                p -> p.replaceFirst("/v1/", "/%76%31/"),
                p -> p.replaceFirst("^/api/", "/%41pi/"),
                p -> p.replaceFirst("^/api/", "/API/"),
                p -> p.replaceFirst("^/api/", "/api/./"),
                p -> p.replaceFirst("^/api/", "/api/%2e/"),
                p -> "/q/health/../.." + p,
                p -> "/x/.." + p,
                p -> "/x/%2e%2e" + p,
                p -> p.replaceFirst("^/api/v1/", "/api/v1/../v1/"),
                p -> p.replace("/", "//"),
                p -> "/" + p,
                p -> p.replaceFirst("^/api/", "/api;jsessionid=1/").replaceFirst("/v1/", "/v1;a=b/"),
                p -> p + ";x=y",
                p -> p.replaceFirst("^/api/", "/api%2F").replaceFirst("/v1/", "/v1%2f"),
                p -> p.replaceFirst("^/api/", "/api\\\\"),
                p -> p.replaceFirst("^/api/", "/%2561pi/"),
                p -> "http://127.0.0.1" + p);
    }

    private static String encodeFirstCharOfEverySegment(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            out.append('/');
            if (!segment.isEmpty()) {
                out.append(String.format(Locale.ROOT, "%%%02X", (int) segment.charAt(0))).append(segment.substring(1));
            }
        }
        return out.toString();
    }

    record Operation(String method, String path) {
    }

    private List<Operation> operations() throws Exception {
        String json = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        JsonNode paths = new ObjectMapper().readTree(json).get("paths");
        List<Operation> operations = new ArrayList<>();
        paths.fieldNames().forEachRemaining(path -> paths.get(path).fieldNames().forEachRemaining(method -> {
            if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                operations.add(new Operation(method.toUpperCase(Locale.ROOT), path.replaceAll("\\{[^}]+}", "probe-1")));
            }
        }));
        return operations;
    }

    @Test
    void noOperationAnswersWithoutTheTokenUnderAnySpellingOfItsPath() throws Exception {
        // Given: every operation of the API
        List<Operation> operations = operations();
        assertTrue(operations.size() >= 20, "the OpenAPI document lists the API: " + operations);
        assertTrue(operations.contains(new Operation("PUT", "/api/v1/loggers/probe-1")), operations.toString());

        // When: each is called without a token, and with a wrong one, under every spelling
        List<String> answered = new ArrayList<>();
        int calls = 0;
        for (Operation op : operations) {
            String body = op.method().equals("POST") || op.method().equals("PUT") ? "{\"level\":\"OFF\"}" : null;
            for (UnaryOperator<String> spelling : spellings()) {
                String target = spelling.apply(op.path());
                for (String token : new String[] {null, "wrong-token-but-long-enough-0000"}) {
                    // wrong tokens come from ever new addresses, so that the failed-auth limiter never steps in
                    InetAddress source = InetAddress.getByAddress(new byte[] {127, 1, (byte) (calls / 250), (byte) (1 + calls % 250)});
                    RawHttp.Answer answer = RawHttp.send(source, RestAssured.port, op.method(), target, token, body);
                    calls++;
                    if (answer.status() != 401 && answer.status() != 404 && answer.status() != 400) {
                        answered.add(answer.status() + " " + op.method() + " " + target + (token == null ? "" : " (wrong token)")
                                + ": " + answer.body());
                    }
                    if (answer.status() >= 400 && answer.status() != 400) {
                        assertTrue(answer.body().startsWith("{\"error\":"), op.method() + " " + target + " answered "
                                + answer.status() + " without a JSON error: " + answer.body());
                    }
                }
            }
        }

        // Then
        assertTrue(answered.isEmpty(), answered.size() + " of " + calls + " calls were answered:\n" + String.join("\n", answered));
        // and the root logger, which a bypass could switch off, is untouched
        Api.authed().get("/api/v1/loggers/ROOT").then().statusCode(200).body("level", org.hamcrest.Matchers.equalTo("INFO"));
    }

    @Test
    void withoutATokenNothingButAuthenticationIsDecided() throws Exception {
        // a wrong method, a wrong content type and an unknown path are 401 too: nothing is revealed before the token
        int port = RestAssured.port;
        assertEquals(401, RawHttp.send(port, "PATCH", "/api/v1/node", null, null).status());
        assertEquals(401, RawHttp.send(port, "GET", "/api/v1/no-such-thing", null, null).status());
        RawHttp.Answer wrongType = RawHttp.exchange(InetAddress.getLoopbackAddress(), port,
                ("POST /api/v1/elements HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 2\r\n\r\n").getBytes(), "{}".getBytes());
        assertEquals(401, wrongType.status(), wrongType.body());
        assertTrue(wrongType.header("WWW-Authenticate").startsWith("Bearer"), wrongType.head());
    }

    @Test
    void everyRouteOutsideTheRestLayerIsOnTheAllowList() {
        // The REST layer and gRPC sit on routes without a path (they decide by themselves); every route with a path,
        // also in mounted sub-routers, is Quarkus' own and must be one that is meant to be open.
        Set<String> unexpected = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        collect(router, "", seen);
        for (String path : seen) {
            if (!path.equals("(no path)") && !path.equals("/") && OPEN.stream().noneMatch(open -> path.equals(open) || path.startsWith(open + "/")
                    || path.startsWith(open + "*"))) {
                unexpected.add(path);
            }
        }
        assertTrue(seen.contains("/q/health"), "the walk reaches the mounted routes: " + seen);
        assertTrue(unexpected.isEmpty(), "routes outside the allow-list " + OPEN + ": " + unexpected + " (all: " + seen + ")");
        // "/" is the REST layer's mount: it wants the token like everything under it
        given().get("/").then().statusCode(401);
        // and the open ones answer without a token
        for (String open : List.of("/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi")) {
            given().get(open).then().statusCode(200);
        }
    }

    /** Every route of {@code router} as its full path; a route that mounts a sub-router is replaced by its routes. */
    private static void collect(Router router, String prefix, Set<String> into) {
        for (Route route : router.getRoutes()) {
            String path = route.getPath();
            Router sub = route instanceof io.vertx.ext.web.impl.RouteImpl impl ? impl.getSubRouter() : null;
            if (sub != null) {
                String mount = prefix + (path == null ? "" : path);
                collect(sub, mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount, into);
            } else {
                into.add(path == null ? "(no path)" : prefix + path);
            }
        }
    }

    @Test
    void wrongTokensFromOneAddressAreSlowedDownWhileTheRightTokenStillWorks() throws Exception {
        // Given: an attacker on 127.0.0.2 (its own bucket: burst 5, delay 600 ms in the test profile)
        InetAddress attacker = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        int port = RestAssured.port;
        String guess = "guessed-token-0123456789-000";

        // When: a burst of wrong tokens
        List<RawHttp.Answer> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(RawHttp.send(attacker, port, "GET", "/api/v1/node", guess + i, null));
        }

        // Then: the first ones are plain 401s, the rest are held before they are looked at, and answered 429
        assertEquals(401, answers.get(0).status());
        RawHttp.Answer late = answers.get(answers.size() - 1);
        assertEquals(429, late.status(), late.head());
        assertTrue(late.millis() >= 500, "a request from a slowed-down source is held: " + late.millis() + " ms");
        assertNotNull(late.header("Retry-After"), late.head());
        assertTrue(late.body().contains("\"error\":\"too_many_failed_authentications\""), late.body());
        assertFalse(late.body().contains(guess), "the presented token is never echoed");

        // and the right token from the same address still works (held as well)
        RawHttp.Answer right = RawHttp.send(attacker, port, "GET", "/api/v1/node", Api.TOKEN, null);
        assertEquals(200, right.status(), right.body());
        // and another address is not affected
        InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 3});
        RawHttp.Answer elsewhere = RawHttp.send(other, port, "GET", "/api/v1/node", guess, null);
        assertEquals(401, elsewhere.status());
        assertTrue(elsewhere.millis() < 500, "not held: " + elsewhere.millis() + " ms");
    }

    @Test
    void manyGuessesAtOnceLearnNothingFaster() throws Exception {
        // Given: a source whose burst is used up
        InetAddress attacker = InetAddress.getByAddress(new byte[] {127, 0, 0, 4});
        int port = RestAssured.port;
        for (int i = 0; i < 5; i++) {
            assertEquals(401, RawHttp.send(attacker, port, "GET", "/api/v1/node", "wrong-token-abcdefghijklmn-" + i, null).status());
        }

        // When: 60 guesses at once, the right token among them
        var pool = java.util.concurrent.Executors.newFixedThreadPool(60);
        List<java.util.concurrent.Future<RawHttp.Answer>> flood = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String guess = i == 45 ? Api.TOKEN : "wrong-token-abcdefghijklmn-x" + i;
            flood.add(pool.submit(() -> RawHttp.send(attacker, port, "GET", "/api/v1/node", guess, null)));
        }
        int held = 0;
        int refused = 0;
        for (var f : flood) {
            RawHttp.Answer a = f.get();
            // Then: no quick verdict on any guess, the right one included: held ones are answered after the delay,
            // the others refused unread, their connection closed
            if (a.status() == 200) {
                assertTrue(a.millis() >= 500, "the right token was recognised at once: " + a.millis() + " ms");
                held++;
                continue;
            }
            assertEquals(429, a.status(), a.head());
            if (a.millis() >= 500) {
                held++;
            } else {
                refused++;
                assertEquals("close", String.valueOf(a.header("connection")).toLowerCase(Locale.ROOT), a.head());
            }
        }
        pool.shutdown();
        assertTrue(held <= 32, "at most max-delayed guesses are looked at per delay: " + held);
        assertTrue(refused >= 27, "the rest are refused unread: " + refused);
    }
}
