package io.netwarden.netmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwarden.netmanager.NetmanagerError;
import io.netwarden.netmanager.NetmanagerService;
import io.netwarden.netmanager.node.Environment;
import io.netwarden.netmanager.node.NodeNetwork;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiError;
import io.netwarden.platform.api.RoleEndpoint;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/netmanager}: the node's side of Oakestra's NetManager API — registration, deploying an instance into
 * the node's network and taking it out — and what the node holds. Field names as Oakestra's NodeEngine sends them are
 * taken too ({@code client_id}, {@code cluster_address}).
 */
@Path("/api/v1/netmanager")
@Produces(MediaType.APPLICATION_JSON)
@RoleEndpoint(Role.NETMANAGER)
@Tag(name = "netmanager")
public class NetmanagerResource {

    @Inject
    NetmanagerService netmanager;

    @Schema(description = "Registration of the node with its cluster")
    public record RegisterRequest(@Schema(description = "The node's id (MQTT topics use it)", examples = "worker1") String clientId,
            @Schema(description = "Host of the cluster's MQTT broker; absent: the configured broker, or none (standalone)")
            String clusterAddress) {
    }

    public record Registered(String clientId, String subnet, String subnetV6, String bridge, String gateway, String cluster) {
    }

    @Schema(description = "An instance to join to the node's network")
    public record DeployRequest(@Schema(examples = "app.appns.service.servicens") String serviceName, Integer instanceNumber,
            @Schema(description = "The instance's process; its network namespace is used") Integer pid,
            @Schema(description = "A named network namespace, created when missing") String netns,
            @Schema(description = "hostPort:instancePort/protocol, comma or semicolon separated", examples = "8080:80/tcp")
            String portMappings) {
    }

    public record Deployed(String serviceName, String nsAddress) {
    }

    public record UndeployRequest(String serviceName, Integer instanceNumber) {
    }

    @POST
    @Path("/register")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "registerNetmanagerNode", summary = "Register this node with its cluster and make its bridge",
            description = "Gets the node's subnet from the cluster over MQTT (or uses the standalone 10.19.1.0/24 without"
                    + " a broker). Registering again under the same id changes nothing; under another one is 409.")
    @RequestBody(content = @Content(schema = @Schema(implementation = RegisterRequest.class)))
    @APIResponse(responseCode = "200", description = "Registered", content = @Content(schema = @Schema(implementation = Registered.class)))
    @APIResponse(responseCode = "409", description = "Registered under another id, or this is the cluster",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "No subnet from the cluster", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Registered register(JsonNode body) {
        Fields fields = Fields.of(body, Set.of("clientId", "client_id", "clusterAddress", "cluster_address"));
        String clientId = fields.text("clientId", "client_id").orElseThrow(() -> NetmanagerError.INVALID_REQUEST
                .exception("clientId is required"));
        NodeNetwork.Registration registration = netmanager.node().register(clientId,
                fields.text("clusterAddress", "cluster_address"));
        return registered(registration);
    }

    private static Registered registered(NodeNetwork.Registration r) {
        return new Registered(r.clientId(), r.subnet().toString(), r.subnetV6().isEmpty() ? null : r.subnetV6(),
                r.environment().settings().bridge(), r.environment().gateway(),
                r.mqtt().map(m -> m.settings().describe()).orElse(null));
    }

    @POST
    @Path("/container/deploy")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "deployNetmanagerInstance", summary = "Join an instance to the node's network",
            description = "A veth pair from the node's bridge into the instance's namespace (the pid's, or a named one,"
                    + " created when missing), an address of the node's subnet, a default route and the port mappings."
                    + " Deploys are serialised.")
    @RequestBody(content = @Content(schema = @Schema(implementation = DeployRequest.class)))
    @APIResponse(responseCode = "200", description = "Deployed", content = @Content(schema = @Schema(implementation = Deployed.class)))
    @APIResponse(responseCode = "400", description = "Not a valid request (serviceName, pid, mappings, port 50103)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Not registered, or the instance (or a host port) is taken",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Deployed deploy(JsonNode body) {
        Fields fields = Fields.of(body, Set.of("serviceName", "instanceNumber", "pid", "netns", "portMappings"));
        Environment.Instance instance = netmanager.node().deploy(fields.text("serviceName").orElse(null),
                fields.integer("instanceNumber").orElseThrow(() -> NetmanagerError.INVALID_REQUEST.exception(
                        "instanceNumber is required")), fields.text("netns"), fields.integer("pid"),
                fields.text("portMappings").orElse(""));
        return new Deployed(instance.serviceName(), instance.nsAddress());
    }

    @POST
    @Path("/container/undeploy")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "undeployNetmanagerInstance", summary = "Take an instance out of the node's network",
            description = "Its link, its port mappings, and its namespace when this node created it, are removed.")
    @RequestBody(content = @Content(schema = @Schema(implementation = UndeployRequest.class)))
    @APIResponse(responseCode = "200", description = "Undeployed", content = @Content(schema = @Schema(implementation = Deployed.class)))
    @APIResponse(responseCode = "404", description = "No such instance here", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Deployed undeploy(JsonNode body) {
        Fields fields = Fields.of(body, Set.of("serviceName", "instanceNumber"));
        Environment.Instance instance = netmanager.node().undeploy(fields.text("serviceName").orElse(null),
                fields.integer("instanceNumber").orElseThrow(() -> NetmanagerError.INVALID_REQUEST.exception(
                        "instanceNumber is required")));
        return new Deployed(instance.serviceName(), instance.nsAddress());
    }

    /** A node's subnet, as the cluster handed it out. */
    public record SubnetView(String node, String subnet, String subnetV6, java.time.Instant allocatedAt) {
    }

    @GET
    @Path("/subnets")
    @Operation(operationId = "listNetmanagerSubnets", summary = "The nodes' subnets (cluster)",
            description = "Every node's /24, by subnet. On a node: 409 wrong_mode.")
    @APIResponse(responseCode = "200", description = "The subnets")
    @APIResponse(responseCode = "409", description = "This is a node", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public List<SubnetView> subnets() {
        return clusterSubnets().list().stream().map(a -> new SubnetView(a.node(), a.subnet().toString(), a.subnetV6(),
                a.allocatedAt())).toList();
    }

    @jakarta.ws.rs.DELETE
    @Path("/subnets/{node}")
    @Operation(operationId = "releaseNetmanagerSubnet", summary = "Give up a node's subnet (cluster)",
            description = "For a node taken out of the cluster for good: its /24 may be handed to another node. Refused"
                    + " while the cluster's table still has instances of the node (undeploy them, or let the node stop"
                    + " cleanly, first). A node that asks again later gets a subnet anew.")
    @APIResponse(responseCode = "204", description = "Released")
    @APIResponse(responseCode = "404", description = "No subnet for that node", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "The node still has instances, or this is a node",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public void releaseSubnet(@jakarta.ws.rs.PathParam("node") String node) {
        if (!io.netwarden.netmanager.mqtt.OakestraTopics.validNode(node)) {
            throw NetmanagerError.INVALID_REQUEST.exception("a node name is 1-128 letters, digits, '.', '_' or '-'");
        }
        io.netwarden.netmanager.ipam.NodeSubnets subnets = clusterSubnets();
        long instances = netmanager.table().map(t -> t.all().stream().filter(e -> e.node().equals(node)).count()).orElse(0L);
        if (instances > 0) {
            throw NetmanagerError.NODE_HAS_INSTANCES.exception("node " + node + " has " + instances
                    + " instance(s) in the table; its subnet stays while they do");
        }
        if (!subnets.release(node)) {
            throw NetmanagerError.UNKNOWN_NODE.exception("the cluster handed no subnet to node " + node);
        }
        org.jboss.logging.Logger.getLogger(NetmanagerResource.class).infof("netmanager cluster: the subnet of node %s"
                + " was released through the API", node);
    }

    private io.netwarden.netmanager.ipam.NodeSubnets clusterSubnets() {
        return netmanager.subnets().orElseThrow(() -> NetmanagerError.WRONG_MODE.exception(
                "subnets are the cluster's (netwarden.netmanager.mode=cluster)"));
    }

    /** One row of the table: an instance, where it runs, and the service IPs that reach it. */
    public record TableRow(String serviceName, int instanceNumber, String nsAddress, String nodeAddress, int nodePort,
            List<ServiceIpView> serviceIps) {
    }

    public record ServiceIpView(String type, String address) {
    }

    @GET
    @Path("/table")
    @Operation(operationId = "getNetmanagerTable", summary = "The service table",
            description = "On the cluster every instance of every service; on a node what it learned from its cluster.")
    @APIResponse(responseCode = "200", description = "The table")
    public List<TableRow> table() {
        if (netmanager.config().mode() == io.netwarden.netmanager.NetmanagerConfig.Mode.cluster) {
            return netmanager.table().map(t -> t.all().stream().map(e -> new TableRow(e.service(), e.instanceNumber(),
                    e.nsIp(), e.hostIp(), e.hostPort(), e.serviceIps().stream().map(ip -> new ServiceIpView(ip.kind().name(),
                            ip.address())).toList())).toList()).orElse(List.of());
        }
        return netmanager.node().registration().flatMap(NodeNetwork.Registration::tables)
                .map(t -> t.table().all().stream().map(i -> new TableRow(i.service(), i.instanceNumber(), i.nsAddress(),
                        i.nodeAddress(), i.nodePort(), i.serviceIps().stream().map(ip -> new ServiceIpView(ip.kind(),
                                ip.address())).toList())).toList()).orElse(List.of());
    }

    @GET
    @Path("/node")
    @Operation(operationId = "getNetmanagerNode", summary = "The node: registration, subnet, bridge, instances",
            description = "On a node: whether it is registered, its subnet, bridge and broker, its instances, and the"
                    + " tunnel's flows, drops by reason and packets/bytes per peer. On the cluster: how many subnets it"
                    + " handed out and its broker link.")
    @APIResponse(responseCode = "200", description = "The node")
    public Map<String, Object> node() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", netmanager.config().mode().name());
        if (netmanager.config().mode() == io.netwarden.netmanager.NetmanagerConfig.Mode.cluster) {
            out.put("subnets", netmanager.subnets().map(s -> s.list().size()).orElse(0));
            out.put("mqtt", netmanager.mqtt().map(m -> m.connected() ? "connected" : "disconnected").orElse("off"));
            return out;
        }
        Optional<NodeNetwork.Registration> registration = netmanager.node().registration();
        out.put("registered", registration.isPresent());
        registration.ifPresent(r -> {
            out.put("registration", registered(r));
            out.put("mqtt", r.mqtt().map(m -> m.connected() ? "connected" : "disconnected").orElse("off"));
            out.put("instances", r.environment().instances());
        });
        out.put("tunnel", registration.flatMap(NodeNetwork.Registration::tunnel).<Object>map(t -> t.state())
                .orElse(Map.of("state", "off (no cluster)")));
        out.put("dns", registration.flatMap(r -> r.dns().<Object>map(d -> Map.of("address", r.environment().gateway()
                + ":53", "queries", d.counts()))).orElse(Map.of("state", "off")));
        return out;
    }

    /** A request body's fields: unknown ones refused, each of the type it must have. */
    private record Fields(JsonNode body) {

        static Fields of(JsonNode body, Set<String> known) {
            if (body == null || !body.isObject()) {
                throw NetmanagerError.INVALID_REQUEST.exception("the body is a JSON object");
            }
            List<String> unknown = new java.util.ArrayList<>();
            body.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    unknown.add(name.length() > 40 ? name.substring(0, 40) + "…" : name);
                }
            });
            if (!unknown.isEmpty()) {
                throw NetmanagerError.INVALID_REQUEST.exception("unknown field(s) " + unknown + "; known: "
                        + known.stream().sorted().toList());
            }
            return new Fields(body);
        }

        Optional<String> text(String... names) {
            for (String name : names) {
                JsonNode value = body.get(name);
                if (value != null && !value.isNull()) {
                    if (!value.isTextual()) {
                        throw NetmanagerError.INVALID_REQUEST.exception(name + " is a string");
                    }
                    return Optional.of(value.asText());
                }
            }
            return Optional.empty();
        }

        Optional<Integer> integer(String name) {
            JsonNode value = body.get(name);
            if (value == null || value.isNull()) {
                return Optional.empty();
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw NetmanagerError.INVALID_REQUEST.exception(name + " is a whole number");
            }
            return Optional.of(value.asInt());
        }
    }
}
