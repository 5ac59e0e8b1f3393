package io.netwarden.netmanager.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.netmanager.NetmanagerError;
import io.netwarden.netmanager.dns.DnsResponder;
import io.netwarden.netmanager.events.InstanceDeployed;
import io.netwarden.netmanager.events.InstanceUndeployed;
import io.netwarden.netmanager.events.RouteChanged;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.linux.LinuxNet;
import io.netwarden.netmanager.linux.LinuxNetException;
import io.netwarden.netmanager.mqtt.OakestraMessages;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.netmanager.linux.Netns;
import io.netwarden.netmanager.linux.TunDevice;
import io.netwarden.netmanager.table.TableClient;
import io.netwarden.netmanager.tunnel.PeerKeys;
import io.netwarden.netmanager.tunnel.ProxyTunnel;
import io.netwarden.netmanager.tunnel.Suite;
import io.netwarden.netmanager.tunnel.TunnelKeyClient;
import io.netwarden.netmanager.tunnel.TunnelMetrics;
import io.netwarden.netmanager.table.TranslationTable;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import io.netwarden.platform.messaging.mqtt.MqttSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The node side of the netmanager: registration (Oakestra's NodeEngine calls {@code /register}, or the node registers
 * itself when it has a broker), the node's subnet, and its {@link Environment}.
 *
 * <pre>
 *   register(clientId, clusterAddress?) ─ registered under that id ─▶ as it is      under another ─▶ 409
 *        ─ broker (clusterAddress, or netwarden.netmanager.mqtt.url) ─▶ MqttLink ─▶ nodes/&lt;id&gt;/net/subnet {"METHOD":"GET"}
 *              ─▶ nodes/&lt;id&gt;/net/subnetwork/result within 10 s ─▶ the /24 at its address      none ─▶ 503, nothing kept
 *        ─ no broker ─▶ standalone: 10.19.1.0/24
 *        ─▶ Environment.start (bridge) ─▶ with a cluster: table client, tunnel (service and container networks routed
 *           into it; with encryption, the peers' keys from the cluster), .local responder on the gateway ─▶ registered
 *   deploy │ undeploy ─▶ the environment (409 not_registered before)
 * </pre>
 *
 * Thread safety: registration and close are synchronized; the environment is thread-safe.
 */
public final class NodeNetwork implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeNetwork.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration SUBNET_WAIT = Duration.ofSeconds(10);
    /** How long a table query may take (Oakestra's nodes wait 5 s). */
    static final Duration TABLE_WAIT = Duration.ofSeconds(5);
    /** How long "the cluster knows nothing of it" is believed before asking again. */
    static final Duration NEGATIVE_CACHE = Duration.ofSeconds(10);
    /** The subnet of a node without a cluster: the seed's example bridge network. */
    public static final Ipv4Net STANDALONE = Ipv4Net.parse("10.19.1.0/24");

    private final LinuxNet net;
    private final Function<String, Environment.Settings> settingsFor;
    private final Function<Optional<String>, Optional<MqttSettings>> brokerFor;
    private final Function<MqttSettings, MqttLink> links;
    private final Optional<String> publicAddress;
    private final java.util.function.Consumer<io.netwarden.platform.export.DomainEvent> events;
    private final TunnelMetrics metrics;
    private final Optional<String> hostNetns;
    private final Ipv4Net serviceNetwork;
    private volatile Optional<Suite> encryption = Optional.empty();
    private volatile boolean dns = true;
    private volatile Ipv4Net containerNetwork = Ipv4Net.parse("10.16.0.0/12");
    private volatile Registration registration;

    /**
     * What registration made.
     *
     * @param publicAddress the underlay address other nodes reach this one's tunnel at (null without a cluster)
     * @param tables the table queries to the cluster (empty without one)
     */
    public record Registration(String clientId, Ipv4Net subnet, String subnetV6, Optional<MqttLink> mqtt,
            Environment environment, String publicAddress, Optional<TableClient> tables, Optional<ProxyTunnel> tunnel,
            Optional<DnsResponder> dns) {
    }

    /**
     * @param settingsFor the environment's settings for a subnet (as text, a.b.c.d/24)
     * @param brokerFor the broker for a cluster address (empty: the configured URL, if any); empty when there is none
     * @param links makes an MQTT link (tests give one of their own)
     */
    public NodeNetwork(LinuxNet net, Function<String, Environment.Settings> settingsFor,
            Function<Optional<String>, Optional<MqttSettings>> brokerFor, Function<MqttSettings, MqttLink> links,
            Optional<String> publicAddress, Optional<String> hostNetns, Ipv4Net serviceNetwork) {
        this(net, settingsFor, brokerFor, links, publicAddress, hostNetns, serviceNetwork, event -> {
        }, TunnelMetrics.NONE);
    }

    /** @param events where its domain events go (the role service fires them for the Kafka export) */
    public NodeNetwork(LinuxNet net, Function<String, Environment.Settings> settingsFor,
            Function<Optional<String>, Optional<MqttSettings>> brokerFor, Function<MqttSettings, MqttLink> links,
            Optional<String> publicAddress, Optional<String> hostNetns, Ipv4Net serviceNetwork,
            java.util.function.Consumer<io.netwarden.platform.export.DomainEvent> events, TunnelMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
        this.publicAddress = publicAddress;
        this.hostNetns = hostNetns;
        this.serviceNetwork = serviceNetwork;
        this.net = net;
        this.settingsFor = settingsFor;
        this.brokerFor = brokerFor;
        this.links = links;
    }

    /**
     * Encrypts the tunnel with {@code suite} (keys from the cluster); call before {@link #register}. Packets from peers
     * that are not sealed are dropped then: every node of a cluster has it on, or none.
     */
    public NodeNetwork encrypted(Suite suite) {
        this.encryption = Optional.of(suite);
        return this;
    }

    /**
     * The cluster's container network (every node's subnet is in it), routed into the tunnel so that instances reach
     * other nodes' instances by their addresses too; call before {@link #register}. Default 10.16.0.0/12.
     */
    public NodeNetwork containerNetwork(Ipv4Net network) {
        this.containerNetwork = network;
        return this;
    }

    /** Whether the node answers {@code .local} names on its bridge gateway (on by default); call before {@link #register}. */
    public NodeNetwork answeringDns(boolean on) {
        this.dns = on;
        return this;
    }

    public synchronized Registration register(String clientId, Optional<String> clusterAddress) {
        if (!OakestraTopics.validNode(clientId)) {
            throw NetmanagerError.INVALID_REQUEST.exception("clientId is 1-128 letters, digits, '.', '_' or '-'");
        }
        Registration current = registration;
        if (current != null) {
            if (current.clientId().equals(clientId)) {
                return current;
            }
            throw NetmanagerError.REGISTERED_OTHERWISE.exception("this node is registered as " + current.clientId()
                    + "; restart it to register it under another id");
        }
        Optional<MqttSettings> broker = brokerFor.apply(clusterAddress);
        Optional<MqttLink> mqtt = broker.map(links);
        Ipv4Net subnet;
        String subnetV6;
        try {
            if (mqtt.isPresent()) {
                JsonNode answer = askSubnet(mqtt.get(), clientId);
                subnet = subnetAt(Ipv4Net.address(answer.path("address").asText("")));
                subnetV6 = answer.path("addressv6").asText("");
            } else {
                subnet = STANDALONE;
                subnetV6 = "";
                LOG.infof("netmanager: no cluster broker; node %s uses the standalone subnet %s", clientId, STANDALONE);
            }
        } catch (RuntimeException e) {
            mqtt.ifPresent(MqttLink::close);
            throw e instanceof io.netwarden.platform.api.ApiException api ? api
                    : NetmanagerError.CLUSTER_UNREACHABLE.exception("the cluster's answer is not a subnet: " + e.getMessage());
        }
        String underlay = null;
        if (mqtt.isPresent()) {
            try {
                underlay = publicAddress.or(net::underlayAddress).orElseThrow(() -> NetmanagerError.NETWORK_FAILED
                        .exception("this node's underlay address is not clear (no default route, several addresses):"
                                + " set netwarden.netmanager.public-address"));
            } catch (RuntimeException e) {
                mqtt.get().close();
                throw e;
            }
        }
        Environment environment;
        try {
            environment = Environment.start(net, settingsFor.apply(subnet.toString()));
        } catch (LinuxNetException e) {
            mqtt.ifPresent(MqttLink::close);
            throw NetmanagerError.NETWORK_FAILED.exception("the node's bridge could not be made: " + e.getMessage());
        }
        String localAddress = underlay;
        Optional<TunnelKeyClient> keys = mqtt.flatMap(link -> encryption.map(suite -> new TunnelKeyClient(clientId, link,
                new java.net.InetSocketAddress(localAddress, environment.settings().tunnelPort()), suite)));
        keys.ifPresent(TunnelKeyClient::start);
        Optional<TableClient> tables = mqtt.map(link -> new TableClient(clientId, link,
                new TranslationTable(java.time.Clock.systemUTC(), NEGATIVE_CACHE), TABLE_WAIT,
                (service, instances) -> {
                    fire(new RouteChanged(clientId, service, instances.stream().map(TranslationTable.Instance::nsAddress)
                            .toList(), java.time.Instant.now()));
                    // the keys of the nodes it will tunnel to, before the first packet needs them
                    keys.ifPresent(k -> instances.stream().filter(i -> !i.nodeAddress().equals(localAddress))
                            .map(i -> new java.net.InetSocketAddress(i.nodeAddress(), i.nodePort())).distinct()
                            .filter(peer -> !k.keys().has(peer)).forEach(k::want));
                }));
        tables.ifPresent(TableClient::start);
        Optional<ProxyTunnel> tunnel;
        try {
            tunnel = tables.isEmpty() ? Optional.empty()
                    : Optional.of(startTunnel(environment.settings(), tables.get(), subnet, underlay,
                            keys.map(TunnelKeyClient::keys).orElse(null)));
        } catch (LinuxNetException e) {
            environment.close();
            mqtt.ifPresent(MqttLink::close);
            throw NetmanagerError.NETWORK_FAILED.exception("the tunnel could not be made: " + e.getMessage());
        }
        Optional<DnsResponder> responder = dns ? tables.flatMap(t -> startDns(environment, t, subnet)) : Optional.empty();
        Registration made = new Registration(clientId, subnet, subnetV6, mqtt, environment, underlay, tables, tunnel,
                responder);
        // after a reconnect the cluster hears of every instance again (it may have restarted without them)
        mqtt.ifPresent(link -> link.onConnected(() -> environment.instances().forEach(i -> announceDeployed(made, i))));
        registration = made;
        LOG.infof("netmanager: node registered as %s, subnet %s%s", clientId, subnet,
                mqtt.map(m -> " from the cluster at " + m.settings().describe()).orElse(""));
        return registration;
    }

    /** A Netwarden cluster hands out /24s; an Oakestra one /26s (10.18.0.64): the node takes what the address is. */
    static Ipv4Net subnetAt(int address) {
        if ((address & 0xff) == 0) {
            return new Ipv4Net(address, 24);
        }
        return new Ipv4Net(address, 26); // refused, saying so, when it is not a /26 either
    }

    /** Asks the cluster for this node's subnet, as an Oakestra node does; waits {@link #SUBNET_WAIT}. */
    private static JsonNode askSubnet(MqttLink mqtt, String clientId) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        mqtt.subscribe(OakestraTopics.subnetResult(clientId), (topic, payload) -> {
            try {
                answer.complete(JSON.readTree(new String(payload, StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                LOG.warnf("netmanager: the cluster's subnet answer is not JSON; waiting for another");
            }
        });
        // asked on every (re)connect until answered: a broker that was away when the node started still gets the question
        mqtt.onConnected(() -> {
            if (!answer.isDone()) {
                mqtt.publish(OakestraTopics.subnetRequest(clientId), "{\"METHOD\":\"GET\"}".getBytes(StandardCharsets.UTF_8));
            }
        });
        mqtt.start();
        try {
            return answer.get(SUBNET_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw NetmanagerError.CLUSTER_UNREACHABLE.exception("no subnet from the cluster at " + mqtt.settings().describe()
                    + " within " + SUBNET_WAIT.toSeconds() + " s" + (mqtt.connected() ? "" : " (the broker is not reachable)"));
        } catch (ExecutionException e) {
            throw NetmanagerError.CLUSTER_UNREACHABLE.exception(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NetmanagerError.CLUSTER_UNREACHABLE.exception("interrupted while waiting for the subnet");
        }
    }

    /** The TUN device and the tunnel's socket, both in the host's namespace, and the route of the service network. */
    private ProxyTunnel startTunnel(Environment.Settings settings, TableClient tables, Ipv4Net subnet, String underlay,
            PeerKeys keys) {
        TunDevice tun = Netns.call(hostNetns, () -> TunDevice.open(settings.tunnel()));
        java.nio.channels.DatagramChannel udp;
        try {
            udp = Netns.call(hostNetns, () -> java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET)
                    .bind(new java.net.InetSocketAddress(underlay, settings.tunnelPort())));
            net.routeIntoTunnel(settings.tunnel(), settings.mtu(), serviceNetwork.toString());
            if (!containerNetwork.contains(subnet.base())) {
                LOG.warnf("netmanager: the node's subnet %s is outside the container network %s; other nodes' instances"
                        + " are reached by service IPs only", subnet, containerNetwork);
            } else {
                net.routeIntoTunnel(settings.tunnel(), settings.mtu(), containerNetwork.toString());
            }
        } catch (RuntimeException e) {
            tun.close();
            net.deleteLink(settings.tunnel());
            throw e instanceof LinuxNetException l ? l : new LinuxNetException(e.getMessage());
        }
        ProxyTunnel tunnel = new ProxyTunnel(tun, udp, tables, serviceNetwork, containerNetwork, subnet, underlay, metrics,
                keys);
        tunnel.start();
        LOG.infof("netmanager: tunnel %s on %s:%d, service network %s and container network %s routed into it,"
                + " encryption %s", settings.tunnel(), underlay, settings.tunnelPort(), serviceNetwork, containerNetwork,
                keys == null ? "off" : keys.suite().configName());
        return tunnel;
    }

    /**
     * The {@code .local} responder on the bridge gateway's port 53; none, with a warning, when the port is taken there
     * (a resolver of the host's listening on every address).
     */
    private Optional<DnsResponder> startDns(Environment environment, TableClient tables, Ipv4Net subnet) {
        java.net.InetSocketAddress at = new java.net.InetSocketAddress(environment.gateway(), 53);
        try {
            java.nio.channels.DatagramChannel socket = Netns.call(hostNetns, () -> java.nio.channels.DatagramChannel
                    .open(java.net.StandardProtocolFamily.INET).bind(at));
            DnsResponder responder = new DnsResponder(socket, tables, subnet);
            responder.start();
            LOG.infof("netmanager: .local names answered at %s:53 (e.g. %s)", environment.gateway(),
                    io.netwarden.netmanager.dns.LocalNames.nameOf("app.appns.service.servicens"));
            return Optional.of(responder);
        } catch (RuntimeException e) {
            LOG.warnf("netmanager: no .local names: %s:53 could not be bound (%s)", environment.gateway(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Deploys into the environment and tells the cluster. */
    public Environment.Instance deploy(String serviceName, int instanceNumber, Optional<String> netns, Optional<Integer> pid,
            String portMappings) {
        Registration current = requireRegistration();
        Environment.Instance instance = current.environment().deploy(serviceName, instanceNumber, netns, pid, portMappings);
        announceDeployed(current, instance);
        current.tunnel().ifPresent(t -> t.addInstance(instance.nsAddress()));
        fire(new InstanceDeployed(current.clientId(), instance.serviceName(), instance.instanceNumber(), instance.nsAddress(),
                instance.deployedAt()));
        // learn its instance IP (the tunnel translates its connections with it) and hear of its service's changes
        current.tables().ifPresent(t -> Thread.ofVirtual().name("netmanager-own-service").start(() -> {
            for (int attempt = 0; attempt < 10 && t.table().instanceIpOf(instance.nsAddress()).isEmpty(); attempt++) {
                t.byName(serviceName);
                if (t.table().instanceIpOf(instance.nsAddress()).isEmpty()) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }));
        return instance;
    }

    /** Undeploys from the environment and tells the cluster. */
    public Environment.Instance undeploy(String serviceName, int instanceNumber) {
        Registration current = requireRegistration();
        Environment.Instance instance = current.environment().undeploy(serviceName, instanceNumber);
        current.tunnel().ifPresent(t -> t.removeInstance(instance.nsAddress()));
        fire(new InstanceUndeployed(current.clientId(), instance.serviceName(), instance.instanceNumber(),
                instance.nsAddress(), java.time.Instant.now()));
        current.mqtt().ifPresent(link -> announceUndeployed(link, current, instance));
        return instance;
    }

    private void fire(io.netwarden.platform.export.DomainEvent event) {
        try {
            events.accept(event);
        } catch (RuntimeException e) {
            LOG.warnf("netmanager: event %s not handed on: %s", event.type(), e.toString());
        }
    }

    private void announceDeployed(Registration current, Environment.Instance instance) {
        current.mqtt().ifPresent(link -> OakestraMessages.send(link, OakestraTopics.deployed(current.clientId()),
                JSON.createObjectNode().put("appname", instance.serviceName()).put("status", "DEPLOYED")
                        .put("instance_number", instance.instanceNumber()).put("nsip", instance.nsAddress())
                        .put("nsipv6", "").put("host_ip", current.publicAddress())
                        .put("host_port", current.environment().settings().tunnelPort()),
                "sent again when the broker is back"));
    }

    private static CompletableFuture<Void> announceUndeployed(MqttLink link, Registration current,
            Environment.Instance instance) {
        return OakestraMessages.send(link, OakestraTopics.undeployed(current.clientId()), JSON.createObjectNode()
                .put("appname", instance.serviceName()).put("instance_number", instance.instanceNumber()),
                "the cluster keeps the instance until the node reports again");
    }

    public Optional<Registration> registration() {
        return Optional.ofNullable(registration);
    }

    /** The environment; 409 not_registered before registration. */
    public Environment environment() {
        return requireRegistration().environment();
    }

    private Registration requireRegistration() {
        Registration current = registration;
        if (current == null) {
            throw NetmanagerError.NOT_REGISTERED.exception("the node is not registered: POST /api/v1/netmanager/register"
                    + " first (or set netwarden.netmanager.mqtt.url, and it registers itself)");
        }
        return current;
    }

    @Override
    public synchronized void close() {
        Registration current = registration;
        registration = null;
        if (current != null) {
            // a clean stop takes the instances down: the cluster hears so (best effort, two seconds at most)
            current.mqtt().filter(MqttLink::connected).ifPresent(link -> {
                java.util.List<java.util.concurrent.CompletableFuture<Void>> sent = new java.util.ArrayList<>();
                for (Environment.Instance instance : current.environment().instances()) {
                    sent.add(announceUndeployed(link, current, instance));
                }
                try {
                    java.util.concurrent.CompletableFuture.allOf(sent.toArray(java.util.concurrent.CompletableFuture[]::new))
                            .get(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warnf("netmanager: not every undeploy reached the cluster at the stop: %s", e.toString());
                }
            });
            current.dns().ifPresent(DnsResponder::close);
            current.tunnel().ifPresent(ProxyTunnel::close);
            current.environment().close();
            current.mqtt().ifPresent(MqttLink::close);
        }
    }
}
