package io.netwarden.platform;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is what client generators consume: Spectral's {@code spectral:oas} rules find no error in it,
 * and every operation has a unique id, a description, a success response and its error responses.
 */
@QuarkusTest
class OpenApiLintTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode document() throws Exception {
        return JSON.readTree(given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
    }

    @Test
    void spectralFindsNoErrorWithTheOasRules() throws Exception {
        // Given: the live document and the OAS ruleset
        Path dir = Files.createDirectories(Path.of("target/openapi-lint"));
        Path doc = dir.resolve("openapi.json");
        Files.writeString(doc, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document()));
        Path ruleset = dir.resolve(".spectral.yaml");
        Files.writeString(ruleset, "extends: [\"spectral:oas\"]\n");
        Path spectral = Path.of(TestEnv.spectral());
        assertTrue(Files.isExecutable(spectral), spectral + " is missing: run scripts/test-env.sh up (it installs Spectral from npm)");

        // When
        Process lint = new ProcessBuilder(spectral.toString(), "lint", "--ruleset", ruleset.toString(), "--format", "json",
                "--fail-severity", "error", doc.toString()).redirectError(dir.resolve("spectral.err").toFile()).start();
        byte[] out = lint.getInputStream().readAllBytes();
        assertTrue(lint.waitFor(120, TimeUnit.SECONDS), "spectral did not finish");

        // Then
        String text = new String(out, StandardCharsets.UTF_8);
        int start = text.indexOf('[');
        assertTrue(start >= 0, "spectral printed no JSON: " + text + Files.readString(dir.resolve("spectral.err")));
        JsonNode results = JSON.readTree(text.substring(start));
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (JsonNode r : results) {
            String line = r.get("code").asText() + " at " + r.get("path") + ": " + r.get("message").asText();
            (r.get("severity").asInt() == 0 ? errors : warnings).add(line);
        }
        assertTrue(errors.isEmpty(), "Spectral errors:\n" + String.join("\n", errors));
        assertTrue(warnings.isEmpty(), "Spectral warnings:\n" + String.join("\n", warnings));
        assertEquals(0, lint.exitValue(), "spectral exit code");
    }

    @Test
    void everyOperationHasAUniqueIdADescriptionAndItsResponses() throws Exception {
        JsonNode doc = document();
        Set<String> ids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        Set<String> methods = Set.of("get", "put", "post", "delete", "patch", "head", "options");
        doc.get("paths").properties().forEach(path -> path.getValue().properties().stream()
                .filter(op -> methods.contains(op.getKey())).forEach(op -> {
            String where = op.getKey().toUpperCase() + " " + path.getKey();
            JsonNode operation = op.getValue();
            String id = operation.path("operationId").asText("");
            if (id.isEmpty() || !ids.add(id)) {
                problems.add(where + ": operationId '" + id + "' missing or taken");
            }
            if (operation.path("description").asText("").isBlank()) {
                problems.add(where + ": no description");
            }
            JsonNode responses = operation.path("responses");
            boolean success = false;
            for (var it = responses.fieldNames(); it.hasNext();) {
                success |= it.next().startsWith("2");
            }
            if (!success) {
                problems.add(where + ": no 2xx response");
            }
            for (String status : List.of("401", "404", "500")) {
                if (!responses.has(status)) {
                    problems.add(where + ": " + status + " not documented");
                }
            }
        }));
        assertTrue(ids.size() >= 20, "operations: " + ids);
        assertTrue(ids.contains("listElements") && ids.contains("submitJob"), ids.toString());
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals("string", doc.at("/components/schemas/Secret/type").asText(), "Secret is a string, not a reference to itself");
        assertTrue(doc.path("servers").size() > 0, "servers");
    }
}
