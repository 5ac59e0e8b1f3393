package io.netwarden.registry.services;

import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.registry.store.DatabaseServiceStore;
import io.netwarden.registry.store.ServiceStore;
import io.netwarden.testing.RealInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/** Registrations on the database store, on PostgreSQL (several registry instances share one). */
@QuarkusTest
@TestProfile(RealInfrastructure.class)
class RegistrationsPostgresTest extends RegistrationsContract {

    @Inject
    ActiveDatabase database;

    @Override
    protected ServiceStore store(int maxServices, int maxPerAddress) {
        return new DatabaseServiceStore(database.dataSource(), maxServices, maxPerAddress);
    }
}
