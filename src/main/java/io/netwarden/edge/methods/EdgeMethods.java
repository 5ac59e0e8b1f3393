package io.netwarden.edge.methods;

import io.netwarden.edge.EdgeConfig;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.config.NetwardenConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import java.time.Clock;
import java.util.List;

/**
 * The methods every node has, as CDI beans. A node takes every {@link EdgeMethod} bean there is, by {@link
 * EdgeMethod#name()}: a new method is one more bean (a class implementing it, or a producer here).
 */
@ApplicationScoped
public class EdgeMethods {

    @Produces
    @ApplicationScoped
    @Named("shellCommand")
    EdgeMethod shellCommand(EdgeConfig config) {
        return new ShellCommand(config.shell().allow().orElse(List.of()), config.shell().maxOutput());
    }

    @Produces
    @ApplicationScoped
    @Named("textLogging")
    EdgeMethod textLogging(EdgeConfig config, NetwardenConfig platform) {
        return new TextLogging(platform.dataDir().resolve("logs"), config.files().maxLogBytes());
    }

    @Produces
    @ApplicationScoped
    @Named("tailFile")
    EdgeMethod tailFile(EdgeConfig config) {
        return new TailFile(new AllowedDirectories(config.files().allow().orElse(List.of())), config.shell().maxOutput());
    }

    @Produces
    @ApplicationScoped
    @Named(CopyFile.NAME)
    EdgeMethod copyFile(EdgeConfig config, NetwardenConfig platform) {
        return new CopyFile(new AllowedDirectories(config.files().allow().orElse(List.of())),
                platform.dataDir().resolve(EdgeConfig.TRANSFERS_DIR), config.files().maxCopyBytes());
    }

    @Produces
    @ApplicationScoped
    @Named("ping")
    EdgeMethod ping(NodeIdentity node) {
        return new Ping(node.name(), node.version(), node.roles().ids(), Clock.systemUTC());
    }
}
