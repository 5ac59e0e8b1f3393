package io.netwarden.platform;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The roles one Netwarden process can take; {@code netwarden.roles} picks them at start-up. */
public enum Role {
    AGENT("agent"),
    DISPATCHER("dispatcher"),
    REGISTRY("registry"),
    EDGE_NODE("edge-node"),
    NETMANAGER("netmanager");

    /** The selector that stands for every role. */
    public static final String ALL = "all";

    private final String id;

    Role(String id) {
        this.id = id;
    }

    /** The name used in configuration, profiles, logs and JSON. */
    public String id() {
        return id;
    }

    public static Optional<Role> fromId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
    }

    /** The accepted role names, for error messages. */
    public static String validNames() {
        return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", ")) + ", " + ALL;
    }

    @Override
    public String toString() {
        return id;
    }
}
