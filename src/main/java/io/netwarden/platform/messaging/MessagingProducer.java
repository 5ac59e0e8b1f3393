package io.netwarden.platform.messaging;

import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.lifecycle.ConnectivityRestored;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Produces;

/** Picks the process's one {@link Messaging}: NATS when {@code netwarden.nats.url} is set, else the in-process bus. */
@ApplicationScoped
public class MessagingProducer {

    @Produces
    @ApplicationScoped
    Messaging messaging(NetwardenConfig config, NodeIdentity node, Event<ConnectivityRestored> restored) {
        NetwardenConfig.Nats nats = config.nats();
        return nats.url().filter(u -> !u.isBlank())
                .<Messaging>map(url -> new NatsMessaging(url.strip(), "netwarden " + node.name() + " " + node.instance(),
                        nats.connectTimeout(), nats.reconnectInitialWait(), nats.reconnectMaxWait(),
                        source -> restored.fire(new ConnectivityRestored(source))))
                .orElseGet(LocalBus::new);
    }
}
