package io.netwarden.dnc.elements;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.netwarden.platform.auth.Secret;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A network element as the API reads and writes it. Credentials are {@link Secret}s: they print as {@code <secret>}
 * and, sent back as {@code <secret>} (or left out) in a PUT, keep the stored value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Element")
public record ElementSpec(
        @Schema(description = "Unique name: letters, digits, '.', '_', '-'", examples = "r1") String name,
        @Schema(description = "Host name or IP address", examples = "127.0.0.1") String address,
        String vendor,
        String model,
        Snmp snmp,
        Telnet telnet) {

    /** SNMP settings; version v1, v2c or v3. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ElementSnmp")
    public record Snmp(
            @Schema(description = "UDP port, default 161") Integer port,
            @Schema(description = "v1, v2c (default) or v3") String version,
            @Schema(description = "v1/v2c") Secret community,
            @Schema(description = "v3 user") String user,
            @Schema(description = "v3: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512") String authProtocol,
            Secret authPassword,
            @Schema(description = "v3: DES, AES, AES-192, AES-256") String privProtocol,
            Secret privPassword,
            @Schema(description = "Per-request timeout, default 2s", examples = "2s") String timeout,
            @Schema(description = "Retries after a timeout, default 1") Integer retries,
            @Schema(description = "GETBULK max-repetitions, default 25") Integer maxRepetitions) {
    }

    /** Telnet settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ElementTelnet")
    public record Telnet(
            @Schema(description = "TCP port, default 23") Integer port,
            String username,
            Secret password) {
    }
}
