package io.netwarden.dnc.jobs;

import io.netwarden.platform.export.DomainEvent;
import io.netwarden.proto.dnc.v1.JobFinishedEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Domain event: a job reached a final status. Exported to {@code netwarden.dnc.results}, keyed by job id. */
@RegisterForReflection // serialised by Jackson for the Kafka export, also in a native image
public record JobFinished(String jobId, String element, String operation, String status, String agent, String error,
        Instant finishedAt, String pollId) implements DomainEvent {

    public JobFinished {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(status, "status");
    }

    @Override
    public String role() {
        return "dnc";
    }

    @Override
    public String type() {
        return "results";
    }

    @Override
    public String key() {
        return jobId;
    }

    @Override
    public Optional<com.google.protobuf.Message> toProto() {
        JobFinishedEvent.Builder b = JobFinishedEvent.newBuilder().setJobId(jobId).setElement(element).setOperation(operation)
                .setStatus(io.netwarden.proto.dnc.v1.JobStatus.valueOf("JOB_STATUS_" + status.toUpperCase(java.util.Locale.ROOT)))
                .setFinishedAtEpochMs(finishedAt.toEpochMilli());
        if (agent != null) {
            b.setAgent(agent);
        }
        if (error != null) {
            b.setError(error);
        }
        return Optional.of(b.build());
    }
}
