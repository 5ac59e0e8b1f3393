package io.netwarden.registry.api;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.registry.services.Registrations;
import io.netwarden.registry.services.Whitelist;
import io.netwarden.registry.store.DatabaseServiceStore;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTermOverrides;
import io.netwarden.registry.whitelist.SearchTerms;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/registry/search-terms}: changes through the API are in force at once, stored, and seen by another
 * registry instance on the same database (here: a second whitelist on the test app's database, as a restarted or a
 * second instance would load it).
 */
@QuarkusTest
class SearchTermsResourceTest {

    @Inject
    ActiveDatabase database;

    private static String body(String urn, String tag) {
        return "{\"urn\":\"" + urn + "\",\"tag\":\"" + tag + "\"}";
    }

    /** Another instance's whitelist on the same database, with the configuration's RackHD terms as its base. */
    private Whitelist otherInstance(SearchTerms terms, List<String> searched) {
        Registrations registrations = new Registrations(new DatabaseServiceStore(database.dataSource(), 1000, 100), terms,
                null, "other-instance", Clock.systemUTC(), e -> {
                });
        return new Whitelist(List.of(new SearchTerm("RackHD-service:api:2.0", "RackHD")),
                new SearchTermOverrides(database.dataSource()), terms, registrations, searched::add, "other-instance",
                Clock.systemUTC());
    }

    @Test
    void aTermPutThroughTheApiIsInForceStoredAndSharedAndItsRemovalToo() {
        // Given
        String urn = "urn:netwarden-test:device:Shared" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        SearchTerms otherTerms = new SearchTerms();
        List<String> searched = new ArrayList<>();
        Whitelist other = otherInstance(otherTerms, searched);
        other.load();

        // When
        authed().contentType("application/json").body(body(urn, "Shared")).put("/api/v1/registry/search-terms")
                .then().statusCode(200).body("urn", equalTo(urn)).body("tag", equalTo("Shared"));

        // Then: in force here, and the other instance takes it over on its next refresh (and searches for it)
        authed().get("/api/v1/registry/search-terms").then().statusCode(200)
                .body("find { it.urn == '" + urn + "' }.tag", equalTo("Shared"));
        other.refresh();
        assertEquals(Optional.of("Shared"), otherTerms.tagOf(urn));
        assertEquals(List.of(urn), searched);

        // When: taken off
        authed().delete("/api/v1/registry/search-terms/" + urn).then().statusCode(204);

        // Then
        authed().get("/api/v1/registry/search-terms").then().statusCode(200).body("urn", not(hasItem(urn)));
        other.refresh();
        assertTrue(otherTerms.tagOf(urn).isEmpty());
        assertTrue(new SearchTermOverrides(database.dataSource()).load().keySet().stream().noneMatch(urn::equals),
                "a URN the API added leaves no row when it is removed: adding and removing cannot grow the table");
        authed().delete("/api/v1/registry/search-terms/" + urn).then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void aConfiguredTermTakenOffStaysOffAcrossARestartUntilPutBack() {
        // When: a term of the configuration is taken off through the API
        authed().delete("/api/v1/registry/search-terms/RackHD-service:api:2.0").then().statusCode(204);
        try {
            // Then: an instance loading afresh (a restart) does not have it, although its configuration does
            SearchTerms restarted = new SearchTerms();
            otherInstance(restarted, new ArrayList<>()).load();
            assertTrue(restarted.tagOf("RackHD-service:api:2.0").isEmpty(), restarted.asMap().toString());
        } finally {
            authed().contentType("application/json").body(body("RackHD-service:api:2.0", "RackHD"))
                    .put("/api/v1/registry/search-terms").then().statusCode(200);
        }
        SearchTerms restarted = new SearchTerms();
        otherInstance(restarted, new ArrayList<>()).load();
        assertEquals(Optional.of("RackHD"), restarted.tagOf("RackHD-service:api:2.0"));
    }

    @Test
    void badRequestsAreRefusedClearlyAndChangeNothing() {
        String before = authed().get("/api/v1/registry/search-terms").then().statusCode(200).extract().asString();

        authed().contentType("application/json").body("").put("/api/v1/registry/search-terms").then().statusCode(400);
        authed().contentType("application/json").body("{\"urn\":").put("/api/v1/registry/search-terms").then()
                .statusCode(400);
        authed().contentType("application/json").body("{\"urn\":\"urn:x\"}").put("/api/v1/registry/search-terms").then()
                .statusCode(400).body("error", equalTo("invalid_search_term"));
        authed().contentType("application/json").body(body("urn:with space", "T")).put("/api/v1/registry/search-terms")
                .then().statusCode(400).body("error", equalTo("invalid_search_term"));
        authed().contentType("application/json").body(body("u".repeat(300), "T")).put("/api/v1/registry/search-terms")
                .then().statusCode(400);
        authed().contentType("application/json").body(body("urn:x", "bad tag!")).put("/api/v1/registry/search-terms")
                .then().statusCode(400);
        authed().contentType("application/json").body("{\"urn\":\"urn:x\",\"tag\":7}").put("/api/v1/registry/search-terms")
                .then().statusCode(400);
        authed().urlEncodingEnabled(false).delete("/api/v1/registry/search-terms/urn%00x").then().statusCode(400);
        authed().delete("/api/v1/registry/search-terms/" + "u".repeat(300)).then().statusCode(400);
        given().contentType("application/json").body(body("urn:x", "T")).put("/api/v1/registry/search-terms").then()
                .statusCode(401);
        given().delete("/api/v1/registry/search-terms/RackHD-service:api:2.0").then().statusCode(401);

        assertEquals(before, authed().get("/api/v1/registry/search-terms").then().statusCode(200).extract().asString());
    }
}
