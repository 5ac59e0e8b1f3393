package io.netwarden.platform.export;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when export is off, or when the configured Kafka brokers answer. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    @Inject
    KafkaExport export;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafka export");
        if (!export.enabled()) {
            return response.withData("enabled", false).up().build();
        }
        KafkaExport.Probe probe = export.probe();
        return response.withData("enabled", true).withData("brokers", probe.detail()).status(probe.up()).build();
    }
}
