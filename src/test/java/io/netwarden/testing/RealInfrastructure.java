package io.netwarden.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The app on the test environment's PostgreSQL, NATS and Kafka (and the edge central); the schema is cleaned at start. Shared by its tests. */
public class RealInfrastructure implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.datasource.jdbc.url", TestEnv.pgUrl(),
                "quarkus.datasource.username", TestEnv.pgUser(),
                "quarkus.datasource.password", TestEnv.pgPassword(),
                // every run starts from an empty schema, so migrations are proven from scratch on PostgreSQL
                "quarkus.flyway.postgresql.clean-at-start", "true",
                "quarkus.flyway.postgresql.clean-disabled", "false",
                "netwarden.nats.url", TestEnv.natsUrl(),
                "kafka.bootstrap.servers", TestEnv.kafka(),
                // this process is the edge central too, so node list and domain events are on the real infrastructure
                "netwarden.edge.central", "test-node");
    }
}
