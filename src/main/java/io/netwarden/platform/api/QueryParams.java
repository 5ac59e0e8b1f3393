package io.netwarden.platform.api;

import io.netwarden.platform.messaging.Subjects;

/**
 * Query parameters read by hand: JAX-RS answers a query parameter it cannot convert (say {@code ?limit=abc}) with 404,
 * as if the resource did not exist. Resources take them as strings and read them here, so a bad value is a 400 that
 * names the parameter.
 */
public final class QueryParams {

    private QueryParams() {
    }

    /** An integer in {@code [min, max]}; {@code fallback} when absent. */
    public static int integer(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        int parsed;
        try {
            // ASCII only: Integer.parseInt would also take full-width or Arabic-Indic digits
            parsed = value.length() > 11 || !value.matches("-?[0-9]+") ? Integer.MIN_VALUE : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            parsed = Integer.MIN_VALUE;
        }
        if (parsed == Integer.MIN_VALUE || parsed < min || parsed > max) {
            throw ApiException.badRequest("invalid_parameter", name + " must be a whole number from " + min + " to " + max);
        }
        return parsed;
    }

    /**
     * A name that is one subject token (a node, a method: {@link Subjects#requireToken}); empty when absent.
     */
    public static java.util.Optional<String> token(String name, String value) {
        if (value == null || value.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Subjects.requireToken(name, value));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_parameter", e.getMessage());
        }
    }

    /** {@code true} or {@code false}; {@code fallback} when absent. */
    public static boolean bool(String name, String value, boolean fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("invalid_parameter", name + " must be true or false");
        };
    }
}
