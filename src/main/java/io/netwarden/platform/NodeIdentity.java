package io.netwarden.platform;

import io.netwarden.platform.config.NetwardenConfig;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Who this process is: node name, a fresh instance id per start, the active roles and the build version. Immutable
 * after construction.
 */
@ApplicationScoped
public class NodeIdentity {

    private static final Logger LOG = Logger.getLogger(NodeIdentity.class);

    private final String name;
    private final String instance;
    private final RoleSet roles;
    private final String version;

    @Inject
    NodeIdentity(NetwardenConfig config, Config rawConfig) {
        this.name = config.node().name().filter(n -> !n.isBlank()).map(String::strip).orElseGet(NodeIdentity::hostName);
        this.instance = UUID.randomUUID().toString();
        this.roles = resolveRoles(config, rawConfig.unwrap(SmallRyeConfig.class).getProfiles());
        this.version = rawConfig.getOptionalValue("quarkus.application.version", String.class).orElse("unknown");
    }

    /**
     * Explicit {@code netwarden.roles} wins; otherwise Quarkus profiles named like roles; otherwise every role.
     */
    static RoleSet resolveRoles(NetwardenConfig config, List<String> profiles) {
        if (config.roles().isPresent()) {
            return config.roles().get();
        }
        EnumSet<Role> fromProfiles = EnumSet.noneOf(Role.class);
        for (String profile : profiles) {
            if (Role.ALL.equals(profile)) {
                return RoleSet.all();
            }
            Role.fromId(profile).ifPresent(fromProfiles::add);
        }
        return fromProfiles.isEmpty() ? RoleSet.all() : new RoleSet(fromProfiles);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            LOG.warnf("cannot resolve the host name (%s); using 'localhost' as node name", e.getMessage());
            return "localhost";
        }
    }

    public String name() {
        return name;
    }

    public String instance() {
        return instance;
    }

    public RoleSet roles() {
        return roles;
    }

    public boolean runs(Role role) {
        return roles.contains(role);
    }

    public String version() {
        return version;
    }
}
