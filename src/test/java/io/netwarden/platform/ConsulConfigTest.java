package io.netwarden.platform;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.FakeConsul;
import io.netwarden.testing.TestElements;
import io.netwarden.testing.TestEnv;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * With Consul configured, settings are read from Consul KV at start (quarkus.consul-config) and telnet device profiles
 * while running ({@code elements/<vendor>/<model>}), against Consul's HTTP API contract and the real telnet server.
 */
@QuarkusTest
@io.quarkus.test.junit.TestProfile(ConsulConfigTest.ConsulOn.class)
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

    @Test
    void aTelnetProfileFromConsulKvAppliesToElementsOfItsVendorAndModel() {
        // Given: a profile in Consul whose error pattern matches what one command prints
        FakeConsul.VALUES.put("elements/nwtest/shell-a", "{\"errors\":[\"(?m)^consul-says-no.*\"],\"paging-off\":\"true\"}");
        String profiled = TestElements.telnet(TestEnv.telnetPassword(), "NwTest", "Shell-A");
        String other = TestElements.telnet(TestEnv.telnetPassword(), "NwTest", "Shell-B");

        // When / Then: on the element of that vendor/model the output is an error; on another model it is not
        JsonPath failed = telnet(profiled, "echo consul-says-no");
        assertEquals("failed", failed.getString("status"), failed.prettify());
        assertEquals("command_error", failed.getString("errorCode"));
        assertTrue(FakeConsul.REQUESTS.contains("GET /v1/kv/elements/nwtest/shell-a?raw"), FakeConsul.REQUESTS.toString());

        JsonPath succeeded = telnet(other, "echo consul-says-no");
        assertEquals("succeeded", succeeded.getString("status"), succeeded.prettify());
        assertEquals("consul-says-no", succeeded.getString("result.outputs[0].output"));
        assertTrue(FakeConsul.REQUESTS.contains("GET /v1/kv/elements/nwtest/shell-b?raw"), FakeConsul.REQUESTS.toString());
    }

    @Test
    void aBrokenProfileInConsulFailsTheJobWithAClearError() {
        // Given
        FakeConsul.VALUES.put("elements/nwtest/broken", "{\"errors\":[\"(unclosed\"]}");
        FakeConsul.VALUES.put("elements/nwtest/typo", "{\"promtp\":\"$ $\"}");
        String broken = TestElements.telnet(TestEnv.telnetPassword(), "nwtest", "broken");
        String typo = TestElements.telnet(TestEnv.telnetPassword(), "nwtest", "typo");

        // When
        JsonPath badPattern = telnet(broken, "echo hi");
        JsonPath unknownSetting = telnet(typo, "echo hi");

        // Then
        assertEquals("failed", badPattern.getString("status"));
        assertEquals("profile_invalid", badPattern.getString("errorCode"));
        assertTrue(badPattern.getString("error").contains("elements/nwtest/broken")
                && badPattern.getString("error").contains("errors is not a valid regular expression"), badPattern.getString("error"));
        assertEquals("profile_invalid", unknownSetting.getString("errorCode"));
        assertTrue(unknownSetting.getString("error").contains("promtp"), unknownSetting.getString("error"));
    }

    private static JsonPath telnet(String element, String command) {
        return authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"operation\":\"telnet.command\",\"commands\":[\"" + command + "\"]}")
                .post("/api/v1/jobs?wait=30s").then().statusCode(200).extract().jsonPath();
    }
}
