package io.netwarden.netmanager.node;

import io.netwarden.netmanager.NetmanagerError;

/**
 * Oakestra's service names: four dot-separated parts, {@code app.appns.service.servicens}. Each part here is 1-30
 * letters, digits, {@code -} or {@code _} (DNS labels under {@code .local} are made from them).
 */
public final class ServiceNames {

    public static final int MAX_PART = 30;

    private ServiceNames() {
    }

    public static String require(String name) {
        if (name == null) {
            throw NetmanagerError.INVALID_REQUEST.exception("serviceName is required (app.appns.service.servicens)");
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length != 4) {
            throw NetmanagerError.INVALID_REQUEST.exception("serviceName has four dot-separated parts:"
                    + " app.appns.service.servicens");
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > MAX_PART || !part.chars().allMatch(c -> (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                throw NetmanagerError.INVALID_REQUEST.exception("each part of serviceName is 1-" + MAX_PART
                        + " letters, digits, '-' or '_'");
            }
        }
        return name;
    }
}
