package io.netwarden.netmanager.api;

import static io.netwarden.testing.Api.authed;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.NetmanagerTestHost;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node's netmanager API in the test app (no broker: the standalone subnet; its "host" a test namespace): Oakestra's
 * NodeEngine calls in order, and what it must refuse.
 */
@QuarkusTest
class NetmanagerApiTest {

    private static final String SERVICE = "app.appns.web.default";
    private static final String INSTANCE_NS = "nwtest-nmapi-i0";

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    private static io.restassured.response.Response post(String path, String body) {
        return authed().contentType("application/json").body(body).post("/api/v1/netmanager" + path);
    }

    @Test
    void aNodeEngineRegistersDeploysAndUndeploysAndBadCallsAreRefused() throws Exception {
        NetmanagerTestHost.ensure();
        given().contentType("application/json").body("{\"clientId\":\"test-node\"}").post("/api/v1/netmanager/register")
                .then().statusCode(401);
        // may already be registered by another test of this app (the fuzzer): then under the same id
        boolean registered = authed().get("/api/v1/netmanager/node").then().statusCode(200).body("mode", equalTo("node"))
                .extract().path("registered");
        if (!registered) {
            post("/container/deploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":0,\"netns\":\"" + INSTANCE_NS
                    + "\"}").then().statusCode(409).body("error", equalTo("not_registered"));
        }
        post("/register", "{\"clientId\":\"a b\"}").then().statusCode(400).body("error", equalTo("invalid_request"));
        post("/register", "{\"clientId\":\"test-node\",\"extra\":1}").then().statusCode(400).body("error", equalTo("invalid_request"));
        post("/register", "[]").then().statusCode(400).body("error", equalTo("invalid_request"));
        // Oakestra's spelling
        post("/register", "{\"client_id\":\"test-node\"}").then().statusCode(200).body("subnet", equalTo("10.19.1.0/24"))
                .body("bridge", equalTo("nwtabr0")).body("gateway", equalTo("10.19.1.1"));
        post("/register", "{\"clientId\":\"test-node\"}").then().statusCode(200).body("subnet", equalTo("10.19.1.0/24"));
        post("/register", "{\"clientId\":\"other\"}").then().statusCode(409).body("error", equalTo("registered_otherwise"));
        authed().get("/api/v1/netmanager/subnets").then().statusCode(409).body("error", equalTo("wrong_mode"));
        authed().delete("/api/v1/netmanager/subnets/some-node").then().statusCode(409).body("error", equalTo("wrong_mode"));
        assertTrue(run("ip", "-n", NetmanagerTestHost.NAME, "-4", "-o", "addr", "show", "dev", "nwtabr0")
                .contains("10.19.1.1/24"), "the bridge is in the test's host namespace");

        String deploy = "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":0,\"netns\":\"" + INSTANCE_NS
                + "\",\"portMappings\":\"8080:80/tcp\"}";
        String address = post("/container/deploy", deploy).then().statusCode(200).body("serviceName", equalTo(SERVICE))
                .extract().path("nsAddress");
        try {
            assertTrue(run("ip", "-n", INSTANCE_NS, "-4", "-o", "addr", "show").contains("inet " + address + "/24"));
            post("/container/deploy", deploy).then().statusCode(409).body("error", equalTo("instance_exists"));
            post("/container/deploy", deploy.replace("8080:80", "50103:80").replace(":0,", ":1,"))
                    .then().statusCode(400).body("error", equalTo("port_reserved"));
            post("/container/deploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":\"x\",\"netns\":\"n\"}")
                    .then().statusCode(400).body("error", equalTo("invalid_request"));
            post("/container/deploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":1,\"pid\":999999999}")
                    .then().statusCode(400).body("error", equalTo("no_such_process"));
            post("/container/deploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":1,\"pid\":"
                    + ProcessHandle.current().pid() + "}").then().statusCode(400).body("error", equalTo("no_such_process"))
                    .body("message", org.hamcrest.Matchers.containsString("host's network namespace"));
            post("/container/deploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":1,\"netns\":\""
                    + NetmanagerTestHost.NAME + "\"}").then().statusCode(400).body("error", equalTo("invalid_request"))
                    .body("message", org.hamcrest.Matchers.containsString("host's own"));
            post("/container/deploy", "{\"serviceName\":\"web\",\"instanceNumber\":1,\"netns\":\"n\"}")
                    .then().statusCode(400).body("error", equalTo("invalid_request"));
            authed().get("/api/v1/netmanager/node").then().statusCode(200).body("registered", equalTo(true))
                    .body("instances.nsAddress", hasItem(address)).body("registration.clientId", equalTo("test-node"));
        } finally {
            post("/container/undeploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":0}").then().statusCode(200)
                    .body("nsAddress", equalTo(address));
        }
        assertFalse(run("ip", "netns", "list").contains(INSTANCE_NS), "the namespace it made is gone");
        post("/container/undeploy", "{\"serviceName\":\"" + SERVICE + "\",\"instanceNumber\":0}").then().statusCode(404)
                .body("error", equalTo("unknown_instance"));
    }
}
