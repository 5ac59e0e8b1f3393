package io.netwarden.platform.api;

/** How the API writes durations: whole seconds as {@code 30s}, otherwise milliseconds as {@code 500ms}. */
public final class Durations {

    private Durations() {
    }

    public static String format(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }

    /**
     * Reads a duration such as {@code 30s}, {@code 500ms} or {@code 5m}; {@code fallback} when absent.
     *
     * @throws IllegalArgumentException saying what is wrong with it, for the caller to report under its own code
     */
    public static java.time.Duration parse(String value, java.time.Duration fallback, java.time.Duration min,
            java.time.Duration max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        java.time.Duration d = null;
        boolean quotable = Inputs.quotable(value, 32);
        if (quotable) {
            try {
                d = io.quarkus.runtime.configuration.DurationConverter.parseDuration(value.strip());
            } catch (RuntimeException e) {
                d = null;
            }
        }
        if (d == null) {
            throw new IllegalArgumentException(quotable
                    ? "'" + value.strip() + "' is not a duration like 30s or 500ms" : "not a duration like 30s or 500ms");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("must be between " + format(min.toMillis()) + " and " + format(max.toMillis()));
        }
        return d;
    }
}
