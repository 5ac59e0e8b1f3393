package io.netwarden.dnc.jobs;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/v1/jobs}. */
@Schema(name = "JobSubmission")
public record JobSubmission(
        @Schema(description = "Element name", examples = "r1") String element,
        @Schema(description = "snmp.get, snmp.getbulk, snmp.walk, snmp.bulkwalk, telnet.command or provision") String operation,
        @Schema(description = "Numeric OIDs for the snmp operations") List<String> oids,
        @Schema(description = "Command lines for telnet.command and provision") List<String> commands,
        @Schema(description = "How long the job may take, default the dispatcher's job-timeout", examples = "30s") String timeout,
        @Schema(description = "Agent pool, default the dispatcher's pool") String pool,
        @Schema(description = "provision: 'wait' (default) for a locked element, or 'fail' at once with element_locked") String onLocked) {
}
