package io.netwarden.registry.ssdp;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An SSDP advertisement that passed {@link SsdpParser}'s checks: a NOTIFY (alive, update, byebye) or an answer to an
 * M-SEARCH.
 *
 * @param kind what it announces
 * @param usn the unique service name, {@code uuid:<device>} or {@code uuid:<device>::<type>}
 * @param target the NT of a NOTIFY or the ST of an answer: the URN (or {@code upnp:rootdevice}, {@code uuid:…}) the
 *     whitelist is matched against
 * @param location the device description's URL, on the sender's own address (empty for a byebye)
 * @param server the SERVER header as sent (printable characters only; empty when absent)
 * @param maxAge how long the advertisement holds without renewal
 * @param maxAgeDefaulted true when CACHE-CONTROL was missing or unreadable and {@link SsdpParser#DEFAULT_MAX_AGE} applies
 * @param bootId BOOTID.UPNP.ORG when present: a new one means the device restarted
 * @param configId CONFIGID.UPNP.ORG when present
 * @param source the address the packet came from
 */
public record SsdpMessage(Kind kind, String usn, String target, Optional<URI> location, String server, Duration maxAge,
        boolean maxAgeDefaulted, OptionalLong bootId, OptionalLong configId, InetAddress source) {

    /** What an advertisement says. */
    public enum Kind {
        ALIVE, UPDATE, BYEBYE, SEARCH_RESPONSE
    }

    public SsdpMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(usn, "usn");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(configId, "configId");
        Objects.requireNonNull(source, "source");
    }

    /** The device's unique name: the USN up to {@code ::} ({@code uuid:4d69…}). */
    public String udn() {
        return udnOf(usn);
    }

    /** The device's unique name in {@code usn}: the USN up to {@code ::}, or the USN when it has none. */
    public static String udnOf(String usn) {
        int end = usn.indexOf("::");
        return end < 0 ? usn : usn.substring(0, end);
    }
}
