package io.netwarden.registry.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.netwarden.registry.ssdp.SsdpMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A registered service as the API shows it; {@code udn} (the device's unique name, the USN up to {@code ::}) is shown
 * after the USN.
 *
 * @param device the device description's fields once fetched ({@code friendlyName}, {@code manufacturer} …), else empty
 * @param status {@code passing} or {@code critical} (the health probe's verdict)
 * @param seenBy the registry instances that see it now
 * @param expiresAt when the last sighting lapses without a renewal
 */
@JsonPropertyOrder({"usn", "udn"})
public record RegisteredService(String usn, String urn, String tag, String address, int port, String location,
        String server, Long bootId, Long configId, Map<String, Object> device, String status, List<String> seenBy,
        Instant firstSeen, Instant lastSeen, Instant expiresAt) {

    /** The device's unique name: the USN up to {@code ::} ({@code uuid:4d69…}), or the USN when it has none. */
    @JsonProperty("udn")
    @Schema(description = "The device's unique name: the USN up to '::'",
            examples = "uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d")
    public String udn() {
        return SsdpMessage.udnOf(usn);
    }
}
