package io.netwarden.dnc.agent;

import io.netwarden.dnc.jobs.Operation;
import io.netwarden.dnc.snmp.Oid;
import io.netwarden.dnc.snmp.SnmpClient;
import io.netwarden.dnc.snmp.SnmpException;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.dnc.snmp.Varbind;
import io.netwarden.platform.auth.Secret;
import io.netwarden.proto.dnc.v1.JobRequest;
import io.netwarden.proto.dnc.v1.JobStatus;
import io.netwarden.proto.dnc.v1.JobUpdate;
import io.netwarden.proto.dnc.v1.SnmpSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one job against its element and says how it went, as the final {@link JobUpdate} (without agent and time,
 * which the caller adds). Never throws: every failure becomes a failed or timed-out update with a code.
 */
final class JobRunner {

    private final SnmpClient snmp;
    private final ExecutorService executor;

    JobRunner(SnmpClient snmp, ExecutorService executor) {
        this.snmp = snmp;
        this.executor = executor;
    }

    JobUpdate.Builder run(JobRequest request) {
        JobUpdate.Builder update = JobUpdate.newBuilder().setJobId(request.getId()).setAttempt(request.getAttempt());
        Operation operation = Operation.fromId(request.getOperation()).orElse(null);
        if (operation == null) {
            return failed(update, "unknown_operation", "this agent does not know the operation '" + request.getOperation() + "'");
        }
        if (!operation.snmp()) {
            return failed(update, "unsupported_operation", operation.id() + " is not available in this agent version yet");
        }
        SnmpTarget target;
        List<Oid> oids = new ArrayList<>();
        try {
            target = target(request);
            request.getOidsList().forEach(o -> oids.add(Oid.of(o)));
        } catch (IllegalArgumentException e) {
            return failed(update, "invalid_job", e.getMessage());
        }
        Duration timeout = Duration.ofMillis(request.getTimeoutMs() > 0 ? request.getTimeoutMs() : 60_000);
        Future<List<Varbind>> work = executor.submit((Callable<List<Varbind>>) () -> switch (operation) {
            case SNMP_GET -> snmp.get(target, oids);
            case SNMP_GETBULK -> snmp.getBulk(target, oids);
            case SNMP_WALK -> walkEach(target, oids, false);
            case SNMP_BULKWALK -> walkEach(target, oids, true);
            default -> throw new IllegalStateException(operation.id());
        });
        try {
            List<Varbind> varbinds = work.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            update.setStatus(JobStatus.JOB_STATUS_SUCCEEDED);
            varbinds.forEach(vb -> update.addVarbinds(io.netwarden.proto.dnc.v1.Varbind.newBuilder()
                    .setOid(vb.oid()).setType(vb.type()).setValue(vb.value())));
            return update;
        } catch (TimeoutException e) {
            work.cancel(true);
            return update.setStatus(JobStatus.JOB_STATUS_TIMED_OUT).setErrorCode("timed_out")
                    .setError("job did not finish within its timeout of " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SnmpException snmpError) {
                return update.setStatus("timed_out".equals(snmpError.code()) ? JobStatus.JOB_STATUS_TIMED_OUT : JobStatus.JOB_STATUS_FAILED)
                        .setErrorCode(snmpError.code()).setError(snmpError.getMessage());
            }
            return failed(update, "agent_error", "unexpected failure: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            work.cancel(true);
            return failed(update, "agent_stopping", "the agent stopped before the job finished");
        }
    }

    /** Whether the element answered at all (even with an SNMP error), for the agent's reachability list. */
    static boolean reached(JobUpdate update) {
        return update.getStatus() == JobStatus.JOB_STATUS_SUCCEEDED || "snmp_error".equals(update.getErrorCode())
                || "auth_failed".equals(update.getErrorCode());
    }

    private List<Varbind> walkEach(SnmpTarget target, List<Oid> roots, boolean bulk) throws SnmpException {
        List<Varbind> all = new ArrayList<>();
        for (Oid root : roots) {
            all.addAll(bulk ? snmp.bulkWalk(target, root) : snmp.walk(target, root));
        }
        return all;
    }

    private static JobUpdate.Builder failed(JobUpdate.Builder update, String code, String message) {
        return update.setStatus(JobStatus.JOB_STATUS_FAILED).setErrorCode(code).setError(message);
    }

    static SnmpTarget target(JobRequest request) {
        if (!request.getElement().hasSnmp()) {
            throw new IllegalArgumentException("element " + request.getElement().getName() + " came without SNMP settings");
        }
        SnmpSettings s = request.getElement().getSnmp();
        return new SnmpTarget(request.getElement().getAddress(), s.getPort(), SnmpVersion.parse(s.getVersion()),
                secret(s.getCommunity()), s.getUser().isEmpty() ? null : s.getUser(), s.getAuthProtocol(),
                secret(s.getAuthPassword()), s.getPrivProtocol(), secret(s.getPrivPassword()),
                Duration.ofMillis(s.getTimeoutMs() > 0 ? s.getTimeoutMs() : 2000), s.getRetries(),
                s.getMaxRepetitions() > 0 ? s.getMaxRepetitions() : 25);
    }

    private static Secret secret(String value) {
        return value == null || value.isEmpty() ? null : Secret.of(value);
    }
}
