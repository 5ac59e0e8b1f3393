package io.netwarden.platform.health;

import io.netwarden.platform.messaging.Messaging;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while messages can flow: always on the in-process bus, only while connected on NATS. */
@Readiness
@ApplicationScoped
public class MessagingReadiness implements HealthCheck {

    @Inject
    Messaging messaging;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("messaging")
                .withData("transport", messaging.description())
                .status(messaging.connected())
                .build();
    }
}
