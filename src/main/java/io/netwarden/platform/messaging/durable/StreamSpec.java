package io.netwarden.platform.messaging.durable;

import io.netwarden.platform.messaging.Subjects;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A stream: the subjects whose messages it keeps and for how long.
 *
 * @param name one subject token ({@link Subjects#requireToken}); also the JetStream stream name
 * @param subjects filters of the subjects it keeps ({@code edge.>}, {@code *.command.*})
 * @param maxAge messages older than this are dropped, delivered or not
 */
public record StreamSpec(String name, List<String> subjects, Duration maxAge) {

    public StreamSpec {
        Subjects.requireToken("stream name", name);
        subjects = List.copyOf(subjects);
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("stream " + name + " needs at least one subject");
        }
        subjects.forEach(Subjects::requireValidFilter);
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("stream " + name + ": max age must be positive");
        }
    }

    /**
     * Refuses a consumer filter that is not within one of the stream's subjects — JetStream refuses such a consumer, so
     * the database delivery does too, and a role finds out in its first test rather than on the first real broker.
     */
    public void requireCovers(String filter) {
        if (subjects.stream().noneMatch(subject -> Subjects.isWithin(filter, subject))) {
            throw new IllegalArgumentException("filter " + filter + " is not within a subject of stream " + name + " "
                    + subjects);
        }
    }
}
