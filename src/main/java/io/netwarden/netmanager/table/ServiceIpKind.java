package io.netwarden.netmanager.table;

import java.util.Optional;

/** The kinds of service IP, with the {@code IpType} Oakestra's table answers carry. */
public enum ServiceIpKind {
    round_robin("RR"), closest("closest"), instance("instance_ip");

    private final String wire;

    ServiceIpKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Oakestra's names (its nodes also write {@code Closest} and {@code InstanceNumber}); empty when unknown. */
    public static Optional<ServiceIpKind> ofWire(String name) {
        return switch (name) {
            case "RR" -> Optional.of(round_robin);
            case "closest", "Closest" -> Optional.of(closest);
            case "instance_ip", "InstanceNumber" -> Optional.of(instance);
            default -> Optional.empty();
        };
    }
}
