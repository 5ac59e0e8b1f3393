package io.netwarden.dnc.polls;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A scheduled poll as the API reads ({@code element, oids, interval, operation}) and shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Poll")
public record PollSpec(String id,
        @Schema(examples = "r1") String element,
        @Schema(description = "Numeric OIDs (subtree roots for walks)") List<String> oids,
        @Schema(description = "How often, e.g. 30s (at least 1s, at most 24h)", examples = "30s") String interval,
        @Schema(description = "snmp.bulkwalk (default), snmp.walk, snmp.get or snmp.getbulk") String operation,
        Instant nextRunAt, Instant lastRunAt, String lastJob, String lastStatus, String lastError) {
}
