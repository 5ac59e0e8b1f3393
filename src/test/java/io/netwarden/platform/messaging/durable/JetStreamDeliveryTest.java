package io.netwarden.platform.messaging.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netwarden.platform.messaging.Messaging;
import io.netwarden.testing.RealInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/** With NATS configured, durable delivery is JetStream on the test environment's server. */
@QuarkusTest
@TestProfile(RealInfrastructure.class)
class JetStreamDeliveryTest extends DurableDeliveryContract {

    @Inject
    DurableDelivery delivery;

    @Inject
    Messaging messaging;

    @Override
    protected DurableDelivery delivery() {
        assertEquals("jetstream", delivery.kind());
        return delivery;
    }

    @Override
    protected void dropStream(String stream) {
        try {
            messaging.jetStreamManagement().orElseThrow().deleteStream(stream);
        } catch (Exception e) {
            // gone already
        }
    }
}
