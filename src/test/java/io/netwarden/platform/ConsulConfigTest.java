package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.FakeConsul;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** With quarkus.consul-config on, settings are read from Consul KV at start (against Consul's HTTP API contract). */
@QuarkusTest
@TestProfile(ConsulConfigTest.ConsulOn.class)
@WithTestResource(FakeConsul.class)
class ConsulConfigTest {

    public static class ConsulOn implements QuarkusTestProfile {
    }

    @Test
    void aSettingFromConsulKvReachesTheRole() {
        assertTrue(FakeConsul.REQUESTS.contains("GET /v1/kv/" + FakeConsul.KEY), FakeConsul.REQUESTS.toString());
        authed().get("/api/v1/registry/search-terms").then().statusCode(200)
                .body("urn", hasItem("urn:netwarden:consul-test:1"))
                .body("find { it.urn == 'urn:netwarden:consul-test:1' }.tag", org.hamcrest.Matchers.equalTo("FromConsul"));
    }
}
