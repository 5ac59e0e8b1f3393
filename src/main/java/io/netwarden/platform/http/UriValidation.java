package io.netwarden.platform.http;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import java.util.List;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Moves the check "is the request target a URI at all" from Quarkus' root handler to {@link RequestLimits}: Quarkus
 * answers a target {@code java.net.URI} cannot parse ({@code /%}, {@code /a b}) with an empty 400 before any route
 * runs — over HTTP/2 too, where no byte-level rewriting can give it a body. With Vert.x' switch
 * {@code vertx.disableURIValidation} set, the target reaches the router, and {@link RequestLimits} (the first route)
 * refuses it with the JSON error, on both protocols, before anything else looks at it.
 *
 * <p>Quarkus reads the switch as a system property when it builds its root handler, after configuration is read; a
 * configuration source factory is the earliest application code that runs, so this one sets it (unless the operator
 * set it) and adds no configuration. Thread safety: runs once, at start.
 */
public class UriValidation implements ConfigSourceFactory {

    static final String SWITCH = "vertx.disableURIValidation";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (System.getProperty(SWITCH) == null) {
            System.setProperty(SWITCH, "true");
        }
        return List.of();
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(100);
    }
}
