package io.netwarden.platform.lifecycle;

import java.util.Objects;

/** CDI event: a connection the roles depend on came back after an outage; the lifecycle then resyncs them. */
public record ConnectivityRestored(String source) {

    public ConnectivityRestored {
        Objects.requireNonNull(source, "source");
    }
}
