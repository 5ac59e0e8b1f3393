package io.netwarden.dnc.agent;

import io.netwarden.dnc.jobs.Operation;
import io.netwarden.dnc.snmp.Oid;
import io.netwarden.dnc.snmp.SnmpClient;
import io.netwarden.dnc.snmp.SnmpException;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.dnc.snmp.Varbind;
import io.netwarden.dnc.telnet.CachedTelnetRunner;
import io.netwarden.dnc.telnet.CommandOutput;
import io.netwarden.dnc.telnet.TelnetException;
import io.netwarden.dnc.telnet.TelnetRunner;
import io.netwarden.dnc.telnet.TelnetTarget;
import io.netwarden.proto.dnc.v1.ElementTarget;
import io.netwarden.proto.dnc.v1.TelnetSettings;
import io.netwarden.platform.auth.Secret;
import io.netwarden.proto.dnc.v1.JobRequest;
import io.netwarden.proto.dnc.v1.JobStatus;
import io.netwarden.proto.dnc.v1.JobUpdate;
import io.netwarden.proto.dnc.v1.SnmpSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
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
    private final TelnetRunner telnet;
    private final TelnetProfiles profiles;
    private final AgentConfig.Telnet telnetConfig;
    private final ExecutorService executor;

    JobRunner(SnmpClient snmp, TelnetRunner telnet, TelnetProfiles profiles, AgentConfig.Telnet telnetConfig,
            ExecutorService executor) {
        this.snmp = snmp;
        this.telnet = telnet;
        this.profiles = profiles;
        this.telnetConfig = telnetConfig;
        this.executor = executor;
    }

    JobUpdate.Builder run(JobRequest request) {
        JobUpdate.Builder update = JobUpdate.newBuilder().setJobId(request.getId()).setAttempt(request.getAttempt());
        Operation operation = Operation.fromId(request.getOperation()).orElse(null);
        if (operation == null) {
            return failed(update, "unknown_operation", "this agent does not know the operation '" + request.getOperation() + "'");
        }
        if (operation == Operation.TELNET_COMMAND) {
            return runTelnet(request, update, Instant.MAX);
        }
        if (operation == Operation.PROVISION) {
            if (request.getLeaseMs() <= 0) {
                return failed(update, "invalid_job", "a provision job must come with the element lock's lease");
            }
            // a second less than the lease, so the last command cannot start just as the lock passes to someone else
            return runTelnet(request, update, Instant.now().plusMillis(request.getLeaseMs()).minusSeconds(1));
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
        // a get is one exchange, bounded by the element's own timeout and retries: when that bound fits the job's
        // timeout it runs on this thread; walks (any number of exchanges) get a watchdog
        boolean bounded = (operation == Operation.SNMP_GET || operation == Operation.SNMP_GETBULK)
                && worstCase(target).compareTo(jobTimeout(request)) <= 0;
        return within(request, update, bounded, () -> switch (operation) {
            case SNMP_GET -> snmp.get(target, oids);
            case SNMP_GETBULK -> snmp.getBulk(target, oids);
            case SNMP_WALK -> walkEach(target, oids, false);
            case SNMP_BULKWALK -> walkEach(target, oids, true);
            default -> throw new IllegalStateException(operation.id());
        }, (u, varbinds) -> varbinds.forEach(vb -> u.addVarbinds(io.netwarden.proto.dnc.v1.Varbind.newBuilder()
                .setOid(vb.oid()).setType(vb.type()).setValue(vb.value()))));
    }

    private JobUpdate.Builder runTelnet(JobRequest request, JobUpdate.Builder update, Instant notAfter) {
        TelnetTarget target;
        try {
            target = telnetTarget(request);
        } catch (IllegalArgumentException e) {
            return failed(update, "invalid_job", e.getMessage());
        } catch (TelnetProfiles.ProfileException e) {
            return failed(update, e.code(), e.getMessage());
        }
        return within(request, update, false, () -> telnet.run(target, request.getCommandsList(), notAfter), JobRunner::outputs);
    }

    /**
     * Runs the work within the job's timeout; its result, or what went wrong, becomes the update. Work that is
     * {@code bounded} (it cannot outlast the job's timeout) runs on this thread; other work runs on a virtual thread of
     * its own and is interrupted when cut off at the timeout.
     */
    private <T> JobUpdate.Builder within(JobRequest request, JobUpdate.Builder update, boolean bounded, Callable<T> work,
            BiConsumer<JobUpdate.Builder, T> onSuccess) {
        Duration timeout = jobTimeout(request);
        if (bounded) {
            try {
                onSuccess.accept(update, work.call());
                return update.setStatus(JobStatus.JOB_STATUS_SUCCEEDED);
            } catch (Exception e) {
                return failure(update, e);
            }
        }
        Future<T> future = executor.submit(work);
        try {
            onSuccess.accept(update, future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            return update.setStatus(JobStatus.JOB_STATUS_SUCCEEDED);
        } catch (TimeoutException e) {
            future.cancel(true);
            return update.setStatus(JobStatus.JOB_STATUS_TIMED_OUT).setErrorCode("timed_out")
                    .setError("job did not finish within its timeout of " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return failure(update, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return failed(update, "agent_stopping", "the agent stopped before the job finished");
        }
    }

    private static Duration jobTimeout(JobRequest request) {
        return Duration.ofMillis(request.getTimeoutMs() > 0 ? request.getTimeoutMs() : 60_000);
    }

    /** The longest one SNMP exchange can take: every try timed out (twice over for v3, which may first discover the engine). */
    private static Duration worstCase(SnmpTarget target) {
        return target.timeout().multipliedBy((target.retries() + 1L) * (target.version() == SnmpVersion.V3 ? 2 : 1));
    }

    /** A protocol failure keeps its code ({@code timed_out} becomes the timed_out status); anything else is agent_error. */
    private static JobUpdate.Builder failure(JobUpdate.Builder update, Throwable cause) {
        if (cause instanceof CachedTelnetRunner.PartialTelnetException partial) {
            outputs(update, partial.outputs());
        }
        String code;
        if (cause instanceof SnmpException snmpError) {
            code = snmpError.code();
        } else if (cause instanceof TelnetException telnetError) {
            code = telnetError.code();
        } else {
            return failed(update, "agent_error", "unexpected failure: " + cause);
        }
        return update.setStatus("timed_out".equals(code) ? JobStatus.JOB_STATUS_TIMED_OUT : JobStatus.JOB_STATUS_FAILED)
                .setErrorCode(code).setError(cause.getMessage());
    }

    private static void outputs(JobUpdate.Builder update, List<CommandOutput> outputs) {
        outputs.forEach(o -> update.addOutputs(io.netwarden.proto.dnc.v1.CommandOutput.newBuilder()
                .setCommand(o.command()).setOutput(o.output())));
    }

    private TelnetTarget telnetTarget(JobRequest request) throws TelnetProfiles.ProfileException {
        ElementTarget e = request.getElement();
        if (!e.hasTelnet()) {
            throw new IllegalArgumentException("element " + e.getName() + " came without telnet settings");
        }
        TelnetSettings t = e.getTelnet();
        return new TelnetTarget(e.getName(), e.getAddress(), t.getPort(), t.getUsername().isEmpty() ? null : t.getUsername(),
                secret(t.getPassword()), profiles.forElement(e.getVendor(), e.getModel()), telnetConfig.connectTimeout(),
                telnetConfig.commandTimeout());
    }

    /** Whether the element answered at all (even with an SNMP error), for the agent's reachability list. */
    static boolean reached(JobUpdate update) {
        return update.getStatus() == JobStatus.JOB_STATUS_SUCCEEDED || "snmp_error".equals(update.getErrorCode())
                || "auth_failed".equals(update.getErrorCode()) || "login_failed".equals(update.getErrorCode())
                || "command_error".equals(update.getErrorCode());
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
