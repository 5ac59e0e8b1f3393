package io.netwarden.dnc.polls;

import static io.netwarden.testing.Api.authed;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.TestEnv;
import io.netwarden.testing.TestElements;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PollsTest {

    private static List<Long> uptimes(String element) {
        JsonPath samples = authed().get("/api/v1/elements/" + element + "/samples?oid=.1.3.6.1.2.1.1.3.0").then()
                .statusCode(200).extract().jsonPath();
        return samples.getList("value", String.class).stream().map(Long::parseLong).toList();
    }

    @Test
    void aPollCollectsSamplesOnScheduleUntilDeleted() throws Exception {
        // Given
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);

        // When: sysUpTime every second
        String id = authed().contentType("application/json")
                .body("{\"element\":\"" + element + "\",\"oids\":[\"1.3.6.1.2.1.1.3.0\"],\"interval\":\"1s\",\"operation\":\"snmp.get\"}")
                .post("/api/v1/polls").then().statusCode(201)
                .body("interval", equalTo("1s")).body("operation", equalTo("snmp.get")).extract().path("id");

        // Then: several runs, newest first, uptime growing, typed
        long deadline = System.currentTimeMillis() + 15_000;
        while (uptimes(element).size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        List<Long> values = uptimes(element);
        assertTrue(values.size() >= 3, "samples: " + values);
        assertTrue(values.get(0) > values.get(values.size() - 1), "newest first and growing: " + values);
        authed().get("/api/v1/elements/" + element + "/samples").then().body("type[0]", equalTo("TimeTicks"))
                .body("poll[0]", equalTo(id));
        authed().get("/api/v1/polls/" + id).then().statusCode(200).body("lastStatus", equalTo("succeeded"));
        String later = Instant.now().plusSeconds(3600).toString();
        assertEquals(0, authed().get("/api/v1/elements/" + element + "/samples?since=" + later).then().extract().jsonPath()
                .getList("$").size());

        // When: deleted
        authed().delete("/api/v1/polls/" + id).then().statusCode(204);
        Thread.sleep(1500);
        int after = uptimes(element).size();
        Thread.sleep(2500);

        // Then: no more runs
        assertEquals(after, uptimes(element).size());
        authed().get("/api/v1/polls/" + id).then().statusCode(404).body("error", equalTo("poll_not_found"));
    }

    @Test
    void badPollsAreRefused() {
        String element = TestElements.snmpV2c(TestEnv.snmpCommunity(), TestElements.SNMP_PORT);
        String telnetOnly = TestElements.telnet("x");
        authed().contentType("application/json").body("{\"element\":\"nope\",\"oids\":[\"1.3.6\"],\"interval\":\"5s\"}")
                .post("/api/v1/polls").then().statusCode(404).body("error", equalTo("element_not_found"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"oids\":[\"1.3.x\"],\"interval\":\"5s\"}")
                .post("/api/v1/polls").then().statusCode(400).body("error", equalTo("malformed_oid"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"oids\":[\"1.3.6\"],\"interval\":\"10ms\"}")
                .post("/api/v1/polls").then().statusCode(400).body("error", equalTo("invalid_interval"));
        authed().contentType("application/json").body("{\"element\":\"" + element + "\",\"oids\":[\"1.3.6\"],\"interval\":\"5s\",\"operation\":\"provision\"}")
                .post("/api/v1/polls").then().statusCode(400).body("error", equalTo("unknown_operation"));
        authed().contentType("application/json").body("{\"element\":\"" + telnetOnly + "\",\"oids\":[\"1.3.6\"],\"interval\":\"5s\"}")
                .post("/api/v1/polls").then().statusCode(400).body("error", equalTo("element_has_no_snmp"));
        authed().get("/api/v1/elements/" + element + "/samples?since=yesterday").then().statusCode(400)
                .body("error", equalTo("invalid_since"));
    }
}
