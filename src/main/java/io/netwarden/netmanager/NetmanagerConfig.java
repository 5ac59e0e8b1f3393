package io.netwarden.netmanager;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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

    enum Mode {
        node, cluster
    }

    interface Mqtt {
        /** Broker URL ({@code tcp://host:1883}). */
        Optional<String> url();
    }
}
