package io.netwarden.netmanager;

import io.netwarden.netmanager.cluster.ServiceTable;
import io.netwarden.netmanager.cluster.SubnetRequests;
import io.netwarden.netmanager.cluster.TableRequests;
import io.netwarden.netmanager.linux.IpCommands;
import io.netwarden.netmanager.mqtt.OakestraTopics;
import io.netwarden.netmanager.node.Environment;
import io.netwarden.netmanager.node.NodeNetwork;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.ipam.NodeSubnets;
import io.netwarden.netmanager.tunnel.PeerKeys;
import io.netwarden.netmanager.tunnel.Suite;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import io.netwarden.platform.messaging.mqtt.MqttSettings;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The netmanager role's lifecycle entry point.
 *
 * <pre>
 *   mode=cluster ─▶ NodeSubnets, ServiceTable (database) ─▶ MqttLink ─▶ SubnetRequests on nodes/+/net/subnet,
 *                   TableRequests on service/deployed, undeployed, tablequery/request, interest/remove
 *   mode=node    ─▶ NodeNetwork: registered now when a broker is configured (under the node name), else at
 *                   POST /register; its Environment holds the bridge and the instances
 * </pre>
 *
 * Thread safety: start and stop are called by the lifecycle, one at a time; the running parts are thread-safe.
 */
@ApplicationScoped
public class NetmanagerService implements RoleService {

    private static final Logger LOG = Logger.getLogger(NetmanagerService.class);
    /** The bridge subnet a node uses without a cluster (the seed's example); the cluster never hands it out. */
    static final Ipv4Net STANDALONE_SUBNET = NodeNetwork.STANDALONE;

    @Inject
    NetmanagerConfig config;

    @Inject
    NodeIdentity identity;

    @Inject
    ActiveDatabase database;

    @Inject
    Vertx vertx;

    @Inject
    jakarta.enterprise.event.Event<io.netwarden.platform.export.DomainEvent> domainEvents;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @Inject
    io.netwarden.platform.config.NetwardenConfig platform;

    private volatile MqttLink mqtt;
    private volatile NodeSubnets subnets;
    private volatile NodeNetwork node;
    private volatile ServiceTable table;

    @Override
    public Role role() {
        return Role.NETMANAGER;
    }

    @Override
    public void start() {
        if (config.tunnelPort() < 1 || config.tunnelPort() > 65535) {
            throw new IllegalArgumentException("netwarden.netmanager.tunnel-port must be 1-65535, got " + config.tunnelPort());
        }
        Ipv4Net containers = network("container-network", config.containerNetwork());
        Ipv4Net services = network("service-network", config.serviceNetwork());
        if (containers.contains(services.base()) || services.contains(containers.base())) {
            throw new IllegalArgumentException("netwarden.netmanager.container-network " + containers + " and service-network "
                    + services + " overlap");
        }
        Optional<MqttSettings> link = mqttSettings();
        LOG.infof("netmanager: mode=%s tunnel-port=%d container-network=%s mqtt=%s", config.mode(), config.tunnelPort(),
                containers, link.map(MqttSettings::describe).orElse("off"));
        if (config.mode() == NetmanagerConfig.Mode.cluster) {
            if (link.isEmpty()) {
                throw new IllegalArgumentException("netwarden.netmanager.mode=cluster needs netwarden.netmanager.mqtt.url:"
                        + " nodes reach their cluster through the broker");
            }
            NodeSubnets allocating = new NodeSubnets(database.dataSource(), containers, List.of(STANDALONE_SUBNET));
            MqttLink connecting = new MqttLink(vertx, link.get());
            // each node's messages in turn with the others', and a part of the queue each: one node's flood stays its own
            connecting.fairBy(topic -> OakestraTopics.nodeOf(topic).orElse(topic));
            new SubnetRequests(allocating, connecting).start();
            ServiceTable serviceTable = new ServiceTable(database.dataSource(), services);
            new TableRequests(serviceTable, allocating, connecting).start();
            new io.netwarden.netmanager.cluster.TunnelKeyIssuer(serviceTable, connecting).start();
            table = serviceTable;
            connecting.start();
            subnets = allocating;
            mqtt = connecting;
        } else {
            Optional<Suite> sealing = config.tunnel().encryption() == NetmanagerConfig.Encryption.aead
                    ? Optional.of(Suite.ofConfig(config.tunnel().cipher())) : Optional.empty();
            int mtu = config.mtu() - (sealing.isPresent() ? PeerKeys.OVERHEAD : 0);
            if (mtu < 576) {
                throw new IllegalArgumentException("netwarden.netmanager.mtu " + config.mtu() + " leaves the instances "
                        + mtu + " bytes; 576 at least");
            }
            if (sealing.isPresent() && link.isPresent() && !link.get().tls()) {
                LOG.warnf("netmanager: tunnel encryption is on but the broker %s is not TLS: the tunnel keys cross it in"
                        + " clear; use an ssl:// URL", link.get().describe());
            }
            NodeNetwork network = new NodeNetwork(new IpCommands(config.hostNetns()), subnet -> new Environment.Settings(
                    config.namePrefix(), Ipv4Net.parse(subnet), mtu, config.tunnelPort(),
                    platform.dataDir().resolve("netmanager")), this::broker, settings -> new MqttLink(vertx, settings),
                    config.publicAddress(), config.hostNetns(), services, this::fire,
                    io.netwarden.netmanager.tunnel.TunnelMetrics.of(meters));
            sealing.ifPresent(network::encrypted);
            network.answeringDns(config.dns()).containerNetwork(containers);
            node = network;
            if (link.isPresent()) {
                Thread.ofVirtual().name("netmanager-register").start(() -> registerUntilDone(network));
            }
        }
    }

    /**
     * Registers the node under its name with the configured cluster, trying again (10 s, 20 s … 5 min apart) while the
     * cluster cannot be reached, so that a node booted before its broker still joins; not ready meanwhile.
     */
    private void registerUntilDone(NodeNetwork network) {
        long wait = 10;
        while (node == network && network.registration().isEmpty()) {
            try {
                network.register(identity.name(), Optional.empty());
                return;
            } catch (io.netwarden.platform.api.ApiException | IllegalStateException e) {
                LOG.warnf("netmanager: node %s not registered yet: %s; trying again in %d s", identity.name(),
                        e.getMessage(), wait);
            }
            try {
                Thread.sleep(wait * 1000);
            } catch (InterruptedException e) {
                return;
            }
            wait = Math.min(wait * 2, 300);
        }
    }

    /** The broker for a cluster address given at registration (its host in the configured URL), or the configured one. */
    private Optional<MqttSettings> broker(Optional<String> clusterAddress) {
        Optional<MqttSettings> configured = mqttSettings();
        if (clusterAddress.isEmpty()) {
            return configured;
        }
        String host = clusterAddress.get();
        if (!host.matches("[A-Za-z0-9.:-]{1,253}")) {
            throw NetmanagerError.INVALID_REQUEST.exception("clusterAddress is a host name or address");
        }
        if ((config.mqtt().username().isPresent() || config.mqtt().tls().certFile().isPresent()) && configured.isPresent()
                && !configured.get().host().equalsIgnoreCase(host)) {
            throw NetmanagerError.INVALID_REQUEST.exception("clusterAddress must be the configured broker's host ("
                    + configured.get().host() + "): its credentials are sent to no other");
        }
        String url = configured.map(c -> (c.tls() ? "ssl://" : "tcp://") + (host.contains(":") ? "[" + host + "]" : host)
                + ":" + c.port()).orElse("tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":1883");
        NetmanagerConfig.Mqtt m = config.mqtt();
        try {
            return Optional.of(MqttSettings.of(url, m.clientId().orElse("netwarden-node-" + identity.name()), m.username(),
                    m.password(), m.tls().caFile(), m.tls().certFile(), m.tls().keyFile(), m.keepAlive(),
                    m.maxPayloadBytes()));
        } catch (IllegalArgumentException e) {
            throw NetmanagerError.INVALID_REQUEST.exception("clusterAddress: " + e.getMessage());
        }
    }

    /** The node side; 409 wrong_mode on the cluster. */
    public NodeNetwork node() {
        NodeNetwork running = node;
        if (running == null) {
            throw NetmanagerError.WRONG_MODE.exception(config.mode() == NetmanagerConfig.Mode.cluster
                    ? "this is the cluster (netwarden.netmanager.mode=cluster); instances are deployed on nodes"
                    : "the netmanager role is not running");
        }
        return running;
    }

    public NetmanagerConfig config() {
        return config;
    }

    private static Ipv4Net network(String key, String value) {
        try {
            return Ipv4Net.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("netwarden.netmanager." + key + ": " + e.getMessage());
        }
    }

    private Optional<MqttSettings> mqttSettings() {
        NetmanagerConfig.Mqtt m = config.mqtt();
        if (m.url().isEmpty()) {
            return Optional.empty();
        }
        String clientId = m.clientId().orElse("netwarden-" + config.mode() + "-" + identity.name());
        try {
            return Optional.of(MqttSettings.of(m.url().get(), clientId, m.username(), m.password(), m.tls().caFile(),
                    m.tls().certFile(), m.tls().keyFile(), m.keepAlive(), m.maxPayloadBytes()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("netwarden.netmanager.mqtt: " + e.getMessage());
        }
    }

    /** Fires a domain event of the node side as a CDI event (the Kafka export and observers in the process see it). */
    private void fire(io.netwarden.platform.export.DomainEvent event) {
        domainEvents.fire(event);
    }

    /** The cluster's service table; empty on a node. */
    public Optional<ServiceTable> table() {
        return Optional.ofNullable(table);
    }

    /** The cluster's subnets; empty on a node. */
    public Optional<NodeSubnets> subnets() {
        return Optional.ofNullable(subnets);
    }

    public Optional<MqttLink> mqtt() {
        NodeNetwork network = node;
        if (network != null) {
            return network.registration().flatMap(NodeNetwork.Registration::mqtt);
        }
        return Optional.ofNullable(mqtt);
    }

    @Override
    public void stop(Duration drain) {
        MqttLink running = mqtt;
        NodeNetwork network = node;
        mqtt = null;
        subnets = null;
        table = null;
        node = null;
        if (running != null) {
            running.close();
        }
        if (network != null) {
            network.close(); // a clean shutdown removes the bridge, the instances' links and the namespaces it made
        }
    }
}
