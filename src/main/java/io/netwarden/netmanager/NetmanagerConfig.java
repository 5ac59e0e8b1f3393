package io.netwarden.netmanager;

import io.netwarden.platform.auth.Secret;
import io.netwarden.platform.config.SecretConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the netmanager role: the overlay network of one worker node, or the cluster side. */
@ConfigMapping(prefix = "netwarden.netmanager")
public interface NetmanagerConfig {

    /** {@code node}: manage this machine's bridge, namespaces and tunnel; {@code cluster}: allocate subnets and answer table queries. */
    @WithDefault("node")
    Mode mode();

    /** MQTT broker linking nodes and cluster, e.g. {@code tcp://10.0.0.3:1883}; unset: no cluster link. */
    Mqtt mqtt();

    /** Underlay address other nodes tunnel to; default: the address of the default-route interface. */
    Optional<String> publicAddress();

    /** UDP port of the tunnel; services cannot expose it. */
    @WithDefault("50103")
    int tunnelPort();

    /** The container network the cluster hands each node a /24 of (10.16.0.0/12: 4,096 nodes). */
    @WithDefault("10.16.0.0/12")
    String containerNetwork();

    /** The service IPs the cluster hands out: a round-robin and a closest one per service, one per instance. */
    @WithDefault("10.32.0.0/16")
    String serviceNetwork();

    /** The tunnel between nodes. */
    Tunnel tunnel();

    /**
     * A node answers {@code <service>.<servicens>.<app>.<appns>.local} with the service's round-robin IP on its bridge
     * gateway's port 53 (instances point their resolver there); other names are refused.
     */
    @WithDefault("true")
    boolean dns();

    /**
     * Also answer Oakestra's NetManager calls on this Unix socket (Oakestra's NodeEngine uses
     * {@code /etc/netmanager/netmanager.sock}); owner and group may connect. Unset: no socket. Nodes only.
     */
    Optional<Path> socket();

    /** Starts the name of every link, table and namespace file it creates: 1-5 lower-case letters or digits. */
    @WithDefault("nw")
    String namePrefix();

    /**
     * MTU of the bridge, the instances' links and the TUN (room for the tunnel's UDP encapsulation on a 1500 underlay);
     * with tunnel encryption 29 less.
     */
    @WithDefault("1450")
    int mtu();

    /**
     * Run the node's networking inside this named network namespace instead of the process' own (several nodes on one
     * machine; the tests' "hosts"). Unset: the process' namespace.
     */
    Optional<String> hostNetns();

    enum Mode {
        node, cluster
    }

    interface Tunnel {
        /**
         * {@code off} (Oakestra's plain UDP) or {@code aead}: every tunnel packet encrypted and authenticated with a key
         * per pair of nodes from the cluster, replays dropped. Every node of a cluster has the same setting. With
         * {@code aead} the instances' MTU is {@code mtu} less the 29 bytes a sealed packet adds.
         */
        @WithDefault("off")
        Encryption encryption();

        /** What a node seals with ({@code aes-gcm} or {@code chacha20-poly1305}); it opens both. */
        @WithDefault("aes-gcm")
        String cipher();
    }

    enum Encryption {
        off, aead
    }

    interface Mqtt {
        /** Broker URL ({@code tcp://host:1883}, {@code ssl://host:8883}). Env: {@code NETWARDEN_NETMANAGER_MQTT_URL}. */
        Optional<String> url();

        /** MQTT client id, unique per broker; default {@code netwarden-<mode>-<node name>}. */
        Optional<String> clientId();

        /** User name, with {@code password}. Env: {@code NETWARDEN_NETMANAGER_MQTT_USERNAME}. */
        Optional<String> username();

        /** Password of {@code username}. Env: {@code NETWARDEN_NETMANAGER_MQTT_PASSWORD}. */
        @WithConverter(SecretConverter.class)
        Optional<Secret> password();

        /** Seconds between keep-alive pings when idle. */
        @WithDefault("30s")
        Duration keepAlive();

        /** Messages larger than this are dropped (and counted). */
        @WithDefault("1048576")
        int maxPayloadBytes();

        /** TLS to the broker; on with an {@code ssl://} or {@code mqtts://} URL or when any of these is set. */
        Tls tls();

        interface Tls {
            /** PEM CA certificate(s) the broker's certificate must chain to; unset: the JDK's trust store. */
            Optional<Path> caFile();

            /** PEM client certificate for brokers that verify clients; with {@code key-file}. */
            Optional<Path> certFile();

            /** PEM private key of {@code cert-file}. */
            Optional<Path> keyFile();
        }
    }
}
