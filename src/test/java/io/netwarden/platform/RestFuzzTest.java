package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.testing.NetmanagerTestHost;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Mutated bodies (seeded, so a failure can be replayed) against every POST and PUT operation the OpenAPI document
 * lists: never a 5xx, every error a JSON {@code {"error","message"}}, and a refused request changes nothing.
 */
@QuarkusTest
class RestFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 20261130L;
    private static final int MUTATIONS_PER_OPERATION = 120;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A valid body for an operation, the path it goes to, and what a refused request must leave unchanged. */
    record Seed(String path, String body, Supplier<String> state) {
    }

    @Test
    void mutatedBodiesGetAJsonErrorAndChangeNothing() throws Exception {
        // Given: a valid body for every POST and PUT operation of the API
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        String fuzzElement = "fuzz-" + Long.toHexString(System.nanoTime());
        Map<String, Seed> seeds = new LinkedHashMap<>();
        seeds.put("POST /api/v1/elements", new Seed("/api/v1/elements",
                "{\"name\":\"" + fuzzElement + "\",\"address\":\"127.0.0.1\",\"vendor\":\"v\",\"model\":\"m\","
                        + "\"snmp\":{\"port\":161,\"version\":\"v2c\",\"community\":\"c\",\"timeout\":\"1s\",\"retries\":0},"
                        + "\"telnet\":{\"port\":23,\"username\":\"u\",\"password\":\"p\"}}",
                () -> get("/api/v1/elements/" + fuzzElement)));
        seeds.put("PUT /api/v1/elements/{name}", new Seed("/api/v1/elements/" + element,
                "{\"address\":\"127.0.0.1\",\"snmp\":{\"port\":" + TestElements.SNMP_PORT + ",\"community\":\"" + TestEnv.snmpCommunity()
                        + "\",\"timeout\":\"500ms\",\"retries\":0}}",
                () -> get("/api/v1/elements/" + element)));
        seeds.put("POST /api/v1/elements/{name}/lock", new Seed("/api/v1/elements/" + element + "/lock",
                "{\"holder\":\"fuzz\",\"duration\":\"2s\",\"reason\":\"fuzzing\"}",
                () -> get("/api/v1/elements/" + element + "/lock").replaceAll("\"(acquiredAt|expiresAt)\":\"[^\"]*\"", "")));
        seeds.put("POST /api/v1/jobs", new Seed("/api/v1/jobs",
                "{\"element\":\"" + element + "\",\"operation\":\"snmp.get\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"],\"timeout\":\"2s\"}",
                () -> tree(get("/api/v1/jobs?limit=1")).path(0).path("id").asText()));
        seeds.put("POST /api/v1/polls", new Seed("/api/v1/polls",
                "{\"element\":\"" + element + "\",\"oids\":[\"1.3.6.1.2.1.1.5.0\"],\"interval\":\"1h\",\"operation\":\"snmp.get\"}",
                () -> String.valueOf(tree(get("/api/v1/polls")).size())));
        seeds.put("POST /api/v1/edge/messages", new Seed("/api/v1/edge/messages",
                "{\"toNode\":\"fuzz-node\",\"data\":[\"echo\",\"x\"],\"commandOrEvent\":\"command\",\"method\":\"shellCommand\","
                        + "\"timeout\":\"5s\",\"ttl\":\"2s\",\"retries\":1}",
                () -> String.valueOf(tree(get("/api/v1/edge/messages?limit=1000")).size())));
        seeds.put("POST /api/v1/edge/rollouts", new Seed("/api/v1/edge/rollouts",
                "{\"message\":{\"commandOrEvent\":\"command\",\"method\":\"ping\",\"data\":[],\"ttl\":\"2s\"},"
                        + "\"nodes\":[\"fuzz-node\",\"fuzz-node-2\"],\"waveSize\":1,\"maxFailures\":0}",
                () -> String.valueOf(tree(get("/api/v1/edge/rollouts?limit=1000")).size())));
        String rollout = authed().contentType("application/json").body("{\"message\":{\"commandOrEvent\":\"command\","
                + "\"method\":\"ping\",\"ttl\":\"1h\"},\"nodes\":[\"fuzz-never\"]}").post("/api/v1/edge/rollouts").then()
                .statusCode(202).extract().path("id");
        seeds.put("POST /api/v1/edge/rollouts/{id}/abort", new Seed("/api/v1/edge/rollouts/" + rollout + "/abort",
                "{\"reason\":\"fuzzing the abort\"}",
                () -> tree(get("/api/v1/edge/rollouts/" + rollout)).path("status").asText()));
        seeds.put("PUT /api/v1/loggers/{name}", new Seed("/api/v1/loggers/io.netwarden.fuzz",
                "{\"level\":\"DEBUG\"}", () -> get("/api/v1/loggers/io.netwarden.fuzz")));
        JsonNode termsBefore = tree(get("/api/v1/registry/search-terms"));
        seeds.put("PUT /api/v1/registry/search-terms", new Seed("/api/v1/registry/search-terms",
                "{\"urn\":\"urn:schemas-upnp-org:device:" + fuzzElement + ":1\",\"tag\":\"Fuzz\"}",
                () -> get("/api/v1/registry/search-terms")));

        NetmanagerTestHost.ensure(); // a valid registration makes the node's bridge there
        Supplier<String> netmanagerNode = () -> get("/api/v1/netmanager/node");
        seeds.put("POST /api/v1/netmanager/register", new Seed("/api/v1/netmanager/register", "{\"clientId\":\"test-node\"}",
                netmanagerNode));
        seeds.put("POST /api/v1/netmanager/container/deploy", new Seed("/api/v1/netmanager/container/deploy",
                "{\"serviceName\":\"app.appns.fuzz.default\",\"instanceNumber\":7,\"netns\":\"nwtest-nmfz\","
                        + "\"portMappings\":\"8090:80/tcp\"}", netmanagerNode));
        seeds.put("POST /api/v1/netmanager/container/undeploy", new Seed("/api/v1/netmanager/container/undeploy",
                "{\"serviceName\":\"app.appns.fuzz.default\",\"instanceNumber\":7}", netmanagerNode));

        // every POST and PUT of the API has a seed, so a new operation cannot escape the fuzzing
        JsonNode paths = JSON.readTree(given().accept("application/json").get("/q/openapi?format=json").asString()).get("paths");
        List<String> unseeded = new ArrayList<>();
        paths.properties().forEach(p -> p.getValue().properties().forEach(op -> {
            String key = op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey();
            if ((key.startsWith("POST ") || key.startsWith("PUT ")) && !seeds.containsKey(key)) {
                unseeded.add(key);
            }
        }));
        assertTrue(unseeded.isEmpty(), "operations without a fuzzing seed: " + unseeded);

        // When / Then
        Random random = new Random(SEED);
        List<String> problems = new ArrayList<>();
        int sent = 0;
        for (Map.Entry<String, Seed> entry : seeds.entrySet()) {
            String method = entry.getKey().substring(0, entry.getKey().indexOf(' '));
            Seed seed = entry.getValue();
            for (int i = 0; i < MUTATIONS_PER_OPERATION; i++) {
                byte[] body = mutate(seed.body(), random);
                String before = seed.state().get();
                Response response = authed().contentType("application/json").body(body).request(method, seed.path());
                sent++;
                int status = response.statusCode();
                String answer = response.asString();
                String what = entry.getKey() + " with " + printable(body);
                if (status >= 500) {
                    problems.add(status + " for " + what + ": " + answer);
                } else if (status >= 400) {
                    JsonNode error = tree(answer);
                    if (error == null || !error.path("error").isTextual() || !error.path("message").isTextual()) {
                        problems.add(status + " without a JSON error for " + what + ": " + answer);
                    } else if (!seed.state().get().equals(before)) {
                        problems.add(status + " " + error.get("error").asText() + " but the state changed, for " + what);
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " of " + sent + " fuzzed requests went wrong (seed " + SEED + "):\n"
                + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));

        // clean up what valid mutations created
        tree(get("/api/v1/polls")).forEach(p -> authed().delete("/api/v1/polls/" + p.get("id").asText()));
        authed().delete("/api/v1/elements/" + fuzzElement);
        JsonNode instances = tree(get("/api/v1/netmanager/node")).path("instances"); // what valid deploys made
        instances.forEach(i -> authed().contentType("application/json").body("{\"serviceName\":\"" + i.get("serviceName")
                .asText() + "\",\"instanceNumber\":" + i.get("instanceNumber").asInt() + "}")
                .post("/api/v1/netmanager/container/undeploy").then().statusCode(200));
        JsonNode termsAfter = tree(get("/api/v1/registry/search-terms"));
        termsAfter.forEach(t -> {
            if (!termsBefore.toString().contains(t.toString())) {
                authed().delete("/api/v1/registry/search-terms/{urn}", t.get("urn").asText()).then().statusCode(204);
            }
        });
        termsBefore.forEach(t -> {
            if (!termsAfter.toString().contains(t.toString())) {
                authed().contentType("application/json").body(t.toString()).put("/api/v1/registry/search-terms");
            }
        });
    }

    /** The JSON in {@code text}, or null when it is none. */
    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    private static String get(String path) {
        return authed().get(path).asString();
    }

    /** One of many ways to spoil a JSON body: a field removed or retyped, an extreme value, broken syntax, raw bytes. */
    static byte[] mutate(String seed, Random random) {
        JsonNode tree = tree(seed);
        switch (random.nextInt(10)) {
            case 0, 1, 2 -> {
                replaceSomeValue(tree, random);
                return bytes(tree);
            }
            case 3 -> {
                removeSomeField(tree, random);
                return bytes(tree);
            }
            case 4 -> {
                ObjectNode target = someObject(tree, random);
                target.set("unknown" + random.nextInt(100), extreme(random));
                return bytes(tree);
            }
            case 5 -> {
                String text = seed;
                return text.substring(0, random.nextInt(text.length())).getBytes(StandardCharsets.UTF_8); // cut short
            }
            case 6 -> {
                String text = seed;
                int at = random.nextInt(text.length());
                String junk = List.of("}", "]", ",", ":", "\"", "{{", "\\", "\u0000", "/*x*/", "NaN", "'").get(random.nextInt(11));
                return (text.substring(0, at) + junk + text.substring(at)).getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> {
                String text = seed;
                int firstColon = text.indexOf(':');
                String firstKey = text.substring(1, firstColon);
                return ("{" + firstKey + ":1," + text.substring(1)).getBytes(StandardCharsets.UTF_8); // a key twice
            }
            case 8 -> {
                return List.of("", "null", "[]", "123", "\"text\"", seed + " trailing", "[" + seed + "]", "{}")
                        .get(random.nextInt(8)).getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                byte[] raw = seed.getBytes(StandardCharsets.UTF_8);
                raw[random.nextInt(raw.length)] = (byte) (0x80 + random.nextInt(128)); // not UTF-8
                return raw;
            }
        }
    }

    private static JsonNode extreme(Random random) {
        return switch (random.nextInt(16)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(2147483648L);
            case 4 -> NODES.numberNode(1.5);
            case 5 -> NODES.numberNode(new java.math.BigInteger("1" + "0".repeat(400)));
            case 6 -> NODES.textNode("");
            case 7 -> NODES.textNode("x".repeat(20_000));
            case 8 -> NODES.textNode("a\u0000b");
            case 9 -> NODES.textNode("evil\u202Etxt.exe");
            case 10 -> NODES.textNode("line\r\nINFO forged");
            case 11 -> NODES.textNode("<secret>");
            case 12 -> NODES.arrayNode().add("x").add(1);
            case 13 -> NODES.objectNode().put("a", 1);
            case 14 -> {
                ArrayNode deep = NODES.arrayNode();
                ArrayNode inner = deep;
                for (int i = 0; i < 300; i++) {
                    inner = inner.addArray();
                }
                yield deep;
            }
            default -> NODES.textNode("1." + "3.".repeat(3000) + "1");
        };
    }

    private static void replaceSomeValue(JsonNode tree, Random random) {
        ObjectNode target = someObject(tree, random);
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
            return;
        }
        String name = names.get(random.nextInt(names.size()));
        if (target.get(name).isArray() && random.nextBoolean()) {
            ArrayNode array = (ArrayNode) target.get(name);
            array.add(extreme(random));
        } else {
            target.set(name, extreme(random));
        }
    }

    private static void removeSomeField(JsonNode tree, Random random) {
        ObjectNode target = someObject(tree, random);
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        if (!names.isEmpty()) {
            target.remove(names.get(random.nextInt(names.size())));
        }
    }

    /** The root object or one of the objects in it. */
    private static ObjectNode someObject(JsonNode tree, Random random) {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add((ObjectNode) tree);
        tree.forEach(child -> {
            if (child.isObject()) {
                objects.add((ObjectNode) child);
            }
        });
        return objects.get(random.nextInt(objects.size()));
    }

    private static byte[] bytes(JsonNode tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String printable(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}]", "?");
        return text.length() > 160 ? text.substring(0, 160) + "…(" + body.length + " bytes)" : text;
    }
}
