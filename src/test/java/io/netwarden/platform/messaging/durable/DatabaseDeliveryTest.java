package io.netwarden.platform.messaging.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The all-in-one choice: without NATS the process' own database (H2 in the test profile) holds the messages. */
@QuarkusTest
class DatabaseDeliveryTest extends DurableDeliveryContract {

    @Inject
    DurableDelivery delivery;

    @Override
    protected DurableDelivery delivery() {
        assertEquals("database", delivery.kind());
        return delivery;
    }
}
