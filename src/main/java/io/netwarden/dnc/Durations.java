package io.netwarden.dnc;

/** How the dnc API writes durations: whole seconds as {@code 30s}, otherwise milliseconds as {@code 500ms}. */
public final class Durations {

    private Durations() {
    }

    public static String format(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }
}
