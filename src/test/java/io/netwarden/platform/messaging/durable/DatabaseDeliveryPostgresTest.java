package io.netwarden.platform.messaging.durable;

import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.testing.RealInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/** The database implementation on PostgreSQL (the all-in-one process may keep its data there). */
@QuarkusTest
@TestProfile(RealInfrastructure.class)
class DatabaseDeliveryPostgresTest extends DurableDeliveryContract {

    @Inject
    ActiveDatabase database;

    private DatabaseDelivery postgresql;

    @Override
    protected DurableDelivery delivery() {
        if (postgresql == null) {
            postgresql = new DatabaseDelivery(database.dataSource());
        }
        return postgresql;
    }
}
