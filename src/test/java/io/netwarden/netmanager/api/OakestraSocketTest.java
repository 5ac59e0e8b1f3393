package io.netwarden.netmanager.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.testing.TestNetns;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Oakestra's NetManager socket on the test app's node ({@code target/nwtest-netmanager.sock}): the NodeEngine's calls,
 * with its field names, answered as the REST API answers them; what is not one of them refused.
 */
@QuarkusTest
class OakestraSocketTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SOCKET = Path.of("target/nwtest-netmanager.sock");

    private record Answer(int status, JsonNode body) {
    }

    @org.junit.jupiter.api.BeforeEach
    void registered() throws Exception {
        io.netwarden.testing.NetmanagerTestHost.ensure();
        Answer registered = call("POST", "/register", "{\"client_id\":\"test-node\"}");
        assertEquals(200, registered.status(), registered.body().toString());
        assertEquals("10.19.1.0/24", registered.body().get("subnet").asText());
    }

    private static Answer call(String method, String path, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(SOCKET))) {
            client.write(ByteBuffer.wrap((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                    + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            client.write(ByteBuffer.wrap(bytes));
            ByteBuffer in = ByteBuffer.allocate(1 << 20);
            while (client.read(in) >= 0) {
                // until closed
            }
            String answer = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            return new Answer(status, JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)));
        }
    }

    @Test
    void aNodeEngineRegistersDeploysAndUndeploysThroughTheSocket() throws Exception {
        Answer other = call("POST", "/register", "{\"client_id\":\"other\"}");
        assertEquals(409, other.status());
        assertEquals("registered_otherwise", other.body().get("error").asText());

        String id = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt()});
        String netns = "nwtest-sock" + id;
        String service = "sock" + id + ".ns.web.default";
        try {
            // as Oakestra's NodeEngine sends it: networkNamespace as a path, pid 0 beside it
            Answer deployed = call("POST", "/container/deploy", "{\"pid\":0,\"networkNamespace\":\"/var/run/netns/" + netns
                    + "\",\"serviceName\":\"" + service + "\",\"instanceNumber\":0,\"portMappings\":\"\"}");
            assertEquals(200, deployed.status(), deployed.body().toString());
            assertEquals(service, deployed.body().get("serviceName").asText());
            String address = deployed.body().get("nsAddress").asText();
            assertTrue(address.startsWith("10.19.1."), address);
            Answer node = call("GET", "/node", "");
            assertTrue(node.body().get("instances").toString().contains(address), node.body().toString());
            Answer again = call("POST", "/container/deploy", "{\"networkNamespace\":\"" + netns + "\",\"serviceName\":\""
                    + service + "\",\"instanceNumber\":0}");
            assertEquals(409, again.status());
            assertEquals("instance_exists", again.body().get("error").asText());

            Answer undeployed = call("POST", "/docker/undeploy", "{\"serviceName\":\"" + service + "\",\"instanceNumber\":0}");
            assertEquals(200, undeployed.status(), undeployed.body().toString());
            assertEquals(404, call("POST", "/container/undeploy", "{\"serviceName\":\"" + service
                    + "\",\"instanceNumber\":0}").status());
        } finally {
            TestNetns.removeLeftovers();
        }
    }

    @Test
    void whatIsNotOneOfItsCallsIsRefusedWithTheApisErrors() throws Exception {
        Answer unknown = call("POST", "/api/v1/netmanager/register", "{}");
        assertEquals(404, unknown.status());
        assertEquals("not_found", unknown.body().get("error").asText());
        assertEquals(405, call("GET", "/container/deploy", "").status());
        assertEquals(405, call("POST", "/table", "{}").status());
        Answer malformed = call("POST", "/container/deploy", "{\"serviceName\":");
        assertEquals(400, malformed.status());
        assertEquals("malformed_json", malformed.body().get("error").asText());
        Answer extra = call("POST", "/container/deploy", "{\"serviceName\":\"a.b.c.d\",\"instanceNumber\":0,\"bogus\":1}");
        assertEquals(400, extra.status());
        assertEquals("invalid_request", extra.body().get("error").asText());
        Answer port = call("POST", "/container/deploy", "{\"serviceName\":\"a.b.c.d\",\"instanceNumber\":0,\"netns\":"
                + "\"nwtest-never\",\"portMappings\":\"50103:80/udp\"}");
        assertEquals(400, port.status(), port.body().toString());
        assertEquals("port_reserved", port.body().get("error").asText());
        assertEquals(200, call("GET", "/table", "").status());
    }
}
