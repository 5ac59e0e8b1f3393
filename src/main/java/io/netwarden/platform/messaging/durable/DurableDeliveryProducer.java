package io.netwarden.platform.messaging.durable;

import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.persistence.ActiveDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Picks the process' one {@link DurableDelivery}: JetStream when {@code netwarden.nats.url} is set (the same choice as
 * {@link Messaging}), else the process' own database.
 */
@ApplicationScoped
public class DurableDeliveryProducer {

    @Produces
    @ApplicationScoped
    DurableDelivery durableDelivery(NetwardenConfig config, Messaging messaging, ActiveDatabase database) {
        boolean nats = config.nats().url().filter(u -> !u.isBlank()).isPresent();
        return nats ? new JetStreamDelivery(messaging) : new DatabaseDelivery(database.dataSource());
    }
}
