package io.netwarden.platform.messaging;

import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.lifecycle.ConnectivityRestored;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

/** Picks the process's one {@link Messaging}: NATS when {@code netwarden.nats.url} is set, else the in-process bus. */
@ApplicationScoped
public class MessagingProducer {

    private static final Logger LOG = Logger.getLogger(MessagingProducer.class);

    @Produces
    @ApplicationScoped
    Messaging messaging(NetwardenConfig config, NodeIdentity node, Event<ConnectivityRestored> restored) {
        NetwardenConfig.Nats nats = config.nats();
        return nats.url().filter(u -> !u.isBlank())
                .<Messaging>map(url -> new NatsMessaging(url.strip(), "netwarden " + node.name() + " " + node.instance(),
                        nats.connectTimeout(), nats.reconnectInitialWait(), nats.reconnectMaxWait(),
                        security(nats, url), source -> restored.fire(new ConnectivityRestored(source))))
                .orElseGet(LocalBus::new);
    }

    /** The NATS authentication and TLS settings; wrong ones stop start-up with one clear line. */
    private static NatsSecurity security(NetwardenConfig.Nats nats, String urls) {
        try {
            return NatsSecurity.from(nats, urls);
        } catch (IllegalArgumentException e) {
            LOG.error(e.getMessage()); // first, before Quarkus' start-up failure and its stack trace
            throw new IllegalStateException(e.getMessage());
        }
    }
}
