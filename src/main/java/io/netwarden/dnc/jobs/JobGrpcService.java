package io.netwarden.dnc.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netwarden.dnc.dispatcher.DispatcherService;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.RoleEndpoint;
import io.netwarden.proto.dnc.v1.CommandOutput;
import io.netwarden.proto.dnc.v1.GetJobRequest;
import io.netwarden.proto.dnc.v1.Job;
import io.netwarden.proto.dnc.v1.JobService;
import io.netwarden.proto.dnc.v1.SubmitJobRequest;
import io.netwarden.proto.dnc.v1.Varbind;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * gRPC {@code netwarden.dnc.v1.JobService}: the REST jobs API for programs. Errors carry the REST error's message with
 * the matching status (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION). Where the dispatcher role is not active,
 * {@code GrpcRoleGate} answers UNIMPLEMENTED for it.
 */
@GrpcService
@RoleEndpoint(Role.DISPATCHER)
public class JobGrpcService implements JobService {

    /** How often Watch looks at a job that has not finished (its end is announced and shown at once). */
    private static final Duration WATCH_POLL = Duration.ofSeconds(1);
    /** Watch gives up on a job that has not finished after this long. */
    private static final Duration WATCH_LIMIT = Duration.ofHours(2);

    @Inject
    DispatcherService dispatcher;

    @Inject
    JobStore store;

    @Override
    @Blocking
    public Uni<Job> submit(SubmitJobRequest request) {
        return Uni.createFrom().item(() -> call(() -> toProto(dispatcher.submit(new JobSubmission(empty(request.getElement()),
                empty(request.getOperation()), request.getOidsList(), request.getCommandsList(), null, null, null)))));
    }

    @Override
    @Blocking
    public Uni<Job> get(GetJobRequest request) {
        return Uni.createFrom().item(() -> call(() -> toProto(find(request.getId()))));
    }

    @Override
    public Multi<Job> watch(GetJobRequest request) {
        return Multi.createFrom().emitter(emitter -> Thread.ofVirtual().name("grpc-watch-" + request.getId()).start(() -> {
            try {
                long deadline = System.nanoTime() + WATCH_LIMIT.toNanos();
                var finished = dispatcher.whenFinished(request.getId());
                try {
                    Job last = null;
                    while (!emitter.isCancelled() && System.nanoTime() < deadline) {
                        JobView view = find(request.getId());
                        Job now = toProto(view);
                        if (!Objects.equals(now, last)) {
                            emitter.emit(now);
                            last = now;
                        }
                        if (view.finished()) {
                            emitter.complete();
                            return;
                        }
                        try {
                            finished.get(WATCH_POLL.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (TimeoutException stillRunning) {
                            // look again: the job may have started
                        }
                    }
                    emitter.complete();
                } finally {
                    finished.complete(null);
                }
            } catch (ApiException e) {
                emitter.fail(status(e));
            } catch (StatusRuntimeException e) {
                emitter.fail(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                emitter.complete();
            } catch (ExecutionException e) {
                emitter.fail(Status.INTERNAL.withDescription("watch failed: " + e.getCause()).asRuntimeException());
            } catch (RuntimeException e) {
                emitter.fail(Status.INTERNAL.withDescription("watch failed: " + e.getMessage()).asRuntimeException());
            }
        }));
    }

    private JobView find(String id) {
        return store.view(id, false).orElseThrow(() -> JobStore.notFound(id));
    }

    private <T> T call(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (ApiException e) {
            throw status(e);
        }
    }

    private static StatusRuntimeException status(ApiException e) {
        Status status = switch (e.status()) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 404 -> Status.NOT_FOUND;
            case 409 -> Status.FAILED_PRECONDITION;
            default -> Status.INTERNAL;
        };
        return status.withDescription(e.code() + ": " + e.getMessage()).asRuntimeException();
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static Job toProto(JobView view) {
        Job.Builder job = Job.newBuilder().setId(view.id()).setElement(view.element()).setOperation(view.operation())
                .setStatus(io.netwarden.proto.dnc.v1.JobStatus.valueOf("JOB_STATUS_" + view.status().toUpperCase(Locale.ROOT)))
                .setCreatedAtEpochMs(view.createdAt().toEpochMilli());
        if (view.agent() != null) {
            job.setAgent(view.agent());
        }
        if (view.error() != null) {
            job.setError(view.error());
        }
        if (view.finishedAt() != null) {
            job.setFinishedAtEpochMs(view.finishedAt().toEpochMilli());
        }
        JsonNode result = view.result();
        if (result != null) {
            result.path("varbinds").forEach(vb -> job.addVarbinds(Varbind.newBuilder().setOid(vb.path("oid").asText())
                    .setType(vb.path("type").asText()).setValue(vb.path("value").asText())));
            result.path("outputs").forEach(o -> job.addOutputs(CommandOutput.newBuilder().setCommand(o.path("command").asText())
                    .setOutput(o.path("output").asText())));
        }
        return job.build();
    }
}
