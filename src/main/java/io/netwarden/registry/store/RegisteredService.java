package io.netwarden.registry.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A registered service as the API shows it.
 *
 * @param device the device description's fields once fetched ({@code friendlyName}, {@code manufacturer} …), else empty
 * @param status {@code passing} or {@code critical} (the health probe's verdict)
 * @param seenBy the registry instances that see it now
 * @param expiresAt when the last sighting lapses without a renewal
 */
public record RegisteredService(String usn, String urn, String tag, String address, int port, String location,
        String server, Long bootId, Long configId, Map<String, Object> device, String status, List<String> seenBy,
        Instant firstSeen, Instant lastSeen, Instant expiresAt) {
}
