package io.netwarden.netmanager.dns;

import java.util.List;
import java.util.Optional;

/**
 * The {@code .local} names of services: {@code <service>.<servicens>.<app>.<appns>.local} stands for Oakestra's service
 * {@code app.appns.service.servicens}. Stateless.
 */
public final class LocalNames {

    private LocalNames() {
    }

    /**
     * The service a name stands for, in lower case (a service whose name has capitals has no {@code .local} name); empty
     * when the name is not five labels ending in {@code local} (any case), or a
     * label is not what a service name's part may be (1-30 letters, digits, {@code -} or {@code _}, as the node's deploy
     * checks them).
     */
    public static Optional<String> serviceOf(List<String> labels) {
        if (labels.size() != 5 || !labels.get(4).equalsIgnoreCase("local")
                || !labels.subList(0, 4).stream().allMatch(LocalNames::validPart)) {
            return Optional.empty();
        }
        // DNS names are case-insensitive (RFC 4343): one service, however the name is written, and one cluster query
        return Optional.of((labels.get(2) + "." + labels.get(3) + "." + labels.get(0) + "." + labels.get(1))
                .toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean validPart(String label) {
        return !label.isEmpty() && label.length() <= 30 && label.chars().allMatch(c -> (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }

    /** Whether the name is under {@code .local} (this responder's zone). */
    public static boolean isLocal(List<String> labels) {
        return !labels.isEmpty() && labels.getLast().equalsIgnoreCase("local");
    }

    /** The {@code .local} name of a service {@code app.appns.service.servicens}. */
    public static String nameOf(String service) {
        String[] parts = service.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("a service name has four parts: app.appns.service.servicens");
        }
        return parts[2] + "." + parts[3] + "." + parts[0] + "." + parts[1] + ".local";
    }
}
