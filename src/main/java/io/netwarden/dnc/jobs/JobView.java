package io.netwarden.dnc.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A job as the API shows it. {@code result} is {@code {"varbinds":[{"oid","type","value"}]}} for SNMP and
 * {@code {"outputs":[{"command","output"}]}} for telnet; {@code error} is a sentence, {@code errorCode} its stable code.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Job")
public record JobView(String id, String element, String operation,
        @Schema(description = "queued, running, succeeded, failed, timed_out") String status,
        String agent,
        @Schema(implementation = ResultSchema.class, description = "varbinds for SNMP operations, outputs for telnet and provision")
        JsonNode result,
        String error, String errorCode, List<String> oids, List<String> commands,
        int attempt, Instant createdAt, Instant startedAt, Instant finishedAt, List<Transition> transitions) {

    /** One persisted status change. */
    public record Transition(String status, String agent, int attempt, Instant at, String detail) {
    }

    public boolean finished() {
        return JobStatus.parse(status).finished();
    }

    /** How {@code result} looks, for the OpenAPI document (the value itself is kept as read from the job's row). */
    record ResultSchema(List<VarbindSchema> varbinds, List<OutputSchema> outputs) {
    }

    @Schema(name = "JobResultVarbind")
    record VarbindSchema(@Schema(description = "numeric, dotted, no leading dot") String oid,
            @Schema(description = "Integer32, Counter32, Counter64, Gauge32, TimeTicks, OctetString, OID, IpAddress, Opaque,"
                    + " Null, noSuchObject, noSuchInstance, endOfMibView") String type,
            String value) {
    }

    @Schema(name = "JobResultOutput")
    record OutputSchema(String command, String output) {
    }
}
