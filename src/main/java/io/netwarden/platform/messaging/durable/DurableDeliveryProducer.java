package io.netwarden.platform.messaging.durable;

import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.platform.lifecycle.ConnectivityRestored;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;

/**
 * Picks the process' one {@link DurableDelivery}: JetStream when {@code netwarden.nats.url} is set (the same choice as
 * {@link Messaging}), else the process' own database.
 */
@ApplicationScoped
public class DurableDeliveryProducer {

    private volatile JetStreamDelivery jetStream;

    @Produces
    @ApplicationScoped
    DurableDelivery durableDelivery(NetwardenConfig config, Messaging messaging, ActiveDatabase database) {
        boolean nats = config.nats().url().filter(u -> !u.isBlank()).isPresent();
        if (!nats) {
            return new DatabaseDelivery(database.dataSource());
        }
        JetStreamDelivery delivery = new JetStreamDelivery(messaging);
        jetStream = delivery;
        return delivery;
    }

    /** NATS came back: the consumers pull again at once (a restarted server forgot their waiting pulls). */
    void onRestored(@Observes ConnectivityRestored restored) {
        JetStreamDelivery delivery = jetStream;
        if (delivery != null && restored.source().equals("nats")) {
            delivery.linkRestored();
        }
    }
}
