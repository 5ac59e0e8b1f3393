package io.netwarden.registry.services;

import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.registry.store.DatabaseServiceStore;
import io.netwarden.registry.store.ServiceStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Registrations on the database store, on the embedded H2 (the all-in-one default). */
@QuarkusTest
class RegistrationsTest extends RegistrationsContract {

    @Inject
    ActiveDatabase database;

    @Override
    protected ServiceStore store(int maxServices, int maxPerAddress) {
        return new DatabaseServiceStore(database.dataSource(), maxServices, maxPerAddress);
    }
}
