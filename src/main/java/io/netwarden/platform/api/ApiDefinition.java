package io.netwarden.platform.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Contact;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** OpenAPI description of the whole API; every {@code /api/v1} operation needs the bearer token. */
@OpenAPIDefinition(
        info = @Info(title = "Netwarden API", version = "v1",
                description = "Network elements and edge boxes from one control plane. Every /api/v1 call needs "
                        + "'Authorization: Bearer <token>'; errors are {\"error\",\"message\"} JSON.",
                contact = @Contact(name = "Netwarden maintainers")),
        servers = @Server(url = "http://127.0.0.1:8080",
                description = "The default: loopback, port 8080; use the address and port you reach Netwarden on"),
        security = @SecurityRequirement(name = "bearer"),
        tags = {
                @Tag(name = "platform", description = "Node identity and runtime log levels"),
                @Tag(name = "registry", description = "SSDP service registry")
        })
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "NETWARDEN_API_TOKEN, or the token generated into <data dir>/api-token")
public class ApiDefinition extends Application {
}
