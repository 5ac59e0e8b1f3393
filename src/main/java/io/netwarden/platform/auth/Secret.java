package io.netwarden.platform.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A credential that never prints: {@code toString()} and JSON show {@code <secret>}. Only {@link #reveal()} gives the
 * value, for the one place that must hand it to a peer.
 */
@Schema(type = SchemaType.STRING, format = "password",
        description = "A credential: write-only, shown as <secret>; sent back as <secret> it keeps the stored value")
public final class Secret {

    /** What a secret prints as; sent back in a PUT it means "keep the stored value". */
    public static final String MASK = "<secret>";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Also the JSON form: a credential field in a request body is read into a Secret. */
    @JsonCreator
    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a secret cannot be empty");
        }
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    /** Compares in constant time, so response timing does not leak how much of a guess was right. */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @JsonValue
    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && matches(other.value);
    }

    @Override
    public int hashCode() {
        return 0; // never derive anything observable from the value
    }
}
