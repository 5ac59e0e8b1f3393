package io.netwarden.netmanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.NetmanagerConfig;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.http.UnixSocketHttpServer;
import io.netwarden.platform.http.UnixSocketHttpServer.Request;
import io.netwarden.platform.http.UnixSocketHttpServer.Response;
import io.netwarden.platform.lifecycle.RoleService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Oakestra's NetManager socket ({@code netwarden.netmanager.socket}, Oakestra's is
 * {@code /etc/netmanager/netmanager.sock}): the calls an Oakestra NodeEngine makes there, answered as
 * {@code /api/v1/netmanager} answers them, so that a NodeEngine drives a Netwarden node unchanged.
 *
 * <pre>
 *   POST /register                               ─▶ NetmanagerResource.register
 *   POST /container/deploy                       ─▶ .deploy (Oakestra's networkNamespace taken for netns)
 *   POST /container/undeploy, /docker/undeploy  ─▶ .undeploy
 *   GET  /node, /table                           ─▶ .node, .table
 *   errors as the REST API's: {"error","message"} with its status; anything else 404 / 405
 * </pre>
 *
 * No token: whoever may open the socket file (owner and group, {@code rw-rw----}) may call it, as with Docker's.
 *
 * <p>Thread safety: requests run concurrently on the server's virtual threads; the resource serialises deploys.
 */
@ApplicationScoped
public class OakestraSocketService implements RoleService {

    private static final Logger LOG = Logger.getLogger(OakestraSocketService.class);
    static final int MAX_BODY = 65_536;

    @Inject
    NetmanagerConfig config;

    @Inject
    NetmanagerResource resource;

    @Inject
    ObjectMapper json;

    private volatile UnixSocketHttpServer server;

    @Override
    public Role role() {
        return Role.NETMANAGER;
    }

    /** After the role's own service: the node exists before the socket answers. */
    @Override
    public int order() {
        return 110;
    }

    @Override
    public void start() {
        if (config.socket().isEmpty()) {
            return;
        }
        if (config.mode() != NetmanagerConfig.Mode.node) {
            LOG.warnf("netmanager: netwarden.netmanager.socket is for nodes; the cluster does not open %s",
                    config.socket().get());
            return;
        }
        UnixSocketHttpServer starting = new UnixSocketHttpServer(config.socket().get(), this::handle, MAX_BODY,
                Duration.ofSeconds(10));
        starting.start();
        server = starting;
        LOG.infof("netmanager: Oakestra's NetManager API on the socket %s (rw-rw----)", starting.path());
    }

    Response handle(Request request) {
        Map<String, Function<JsonNode, Object>> posts = Map.of(
                "/register", resource::register,
                "/container/deploy", body -> resource.deploy(oakestraDeploy(body)),
                "/container/undeploy", resource::undeploy,
                "/docker/undeploy", resource::undeploy);
        try {
            if (posts.containsKey(request.path())) {
                if (!request.method().equals("POST")) {
                    return UnixSocketHttpServer.error(405, "method_not_allowed", request.path() + " takes POST");
                }
                JsonNode body = json.readTree(request.body());
                Object answer = posts.get(request.path()).apply(body);
                LOG.debugf("netmanager socket: %s %s by %s", request.method(), request.path(), request.peer());
                return new Response(200, json.writeValueAsBytes(answer));
            }
            if (request.path().equals("/node") || request.path().equals("/table")) {
                if (!request.method().equals("GET")) {
                    return UnixSocketHttpServer.error(405, "method_not_allowed", request.path() + " takes GET");
                }
                return new Response(200, json.writeValueAsBytes(request.path().equals("/node") ? resource.node()
                        : resource.table()));
            }
            return UnixSocketHttpServer.error(404, "not_found", "no such call on this socket; it answers POST /register,"
                    + " /container/deploy, /container/undeploy, /docker/undeploy and GET /node, /table");
        } catch (ApiException e) {
            return UnixSocketHttpServer.error(e.status(), e.code(), e.getMessage());
        } catch (JsonProcessingException e) {
            return UnixSocketHttpServer.error(400, "malformed_json", "the body is not JSON: "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (java.io.IOException | RuntimeException e) {
            String incident = UUID.randomUUID().toString();
            LOG.errorf(e, "netmanager socket: %s %s failed (incident %s)", request.method(), request.path(), incident);
            return UnixSocketHttpServer.error(500, "internal_error", "unexpected failure; incident " + incident);
        }
    }

    /**
     * Oakestra's deploy body: {@code networkNamespace} (a name, or a path under {@code /var/run/netns} or
     * {@code /run/netns}) is this API's {@code netns}; {@code "pid":0} (Go's zero value, sent beside a namespace) is
     * no pid.
     */
    private static JsonNode oakestraDeploy(JsonNode body) {
        if (body == null || !body.isObject()) {
            return body;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) body)
                .deepCopy();
        if (copy.path("pid").isIntegralNumber() && copy.get("pid").asLong() == 0
                && (copy.hasNonNull("networkNamespace") || copy.hasNonNull("netns"))) {
            copy.remove("pid");
        }
        if (copy.has("networkNamespace") && !copy.has("netns")) {
            JsonNode value = copy.remove("networkNamespace");
            if (value.isTextual()) {
                String name = value.asText();
                for (String dir : new String[] {"/var/run/netns/", "/run/netns/"}) {
                    if (name.startsWith(dir)) {
                        name = name.substring(dir.length());
                    }
                }
                copy.put("netns", name);
            } else {
                copy.set("netns", value);
            }
        }
        return copy;
    }

    @Override
    public void stop(Duration drain) {
        UnixSocketHttpServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }
}
