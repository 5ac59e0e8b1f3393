package io.netwarden.dnc.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jobs the API cancelled, as this agent heard of them ({@code dnc.cancel.<id>}), and the threads running this agent's
 * jobs, so that a cancelled job is stopped where it runs and never started where it has not yet.
 *
 * <pre>
 *   cancel(id) ─▶ remembered ─▶ its thread, if running here, is interrupted (the SNMP walk and the telnet session stop
 *                                 at their next step and report code "cancelled")
 *   begin(id)  ─▶ false when already cancelled: the job is not run
 * </pre>
 *
 * <p>Thread safety: the running map is concurrent; the cancelled set is a synchronised LRU map of bounded size.
 */
final class Cancellations {

    private static final int REMEMBERED = 10_000;

    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    private final Map<String, Boolean> cancelled = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    /** The job was cancelled: stop it if it runs here. Returns whether it did. */
    boolean cancel(String jobId) {
        cancelled.put(jobId, Boolean.TRUE);
        Thread thread = running.get(jobId);
        if (thread != null) {
            thread.interrupt();
            return true;
        }
        return false;
    }

    /** The calling thread starts the job; false (and nothing registered) when it was cancelled already. */
    boolean begin(String jobId) {
        if (cancelled.containsKey(jobId)) {
            return false;
        }
        running.put(jobId, Thread.currentThread());
        if (cancelled.containsKey(jobId)) { // cancelled between the check and the registration
            running.remove(jobId);
            return false;
        }
        return true;
    }

    /** The job has ended on this agent (the thread's interrupt flag is cleared for its next task). */
    void end(String jobId) {
        running.remove(jobId);
        Thread.interrupted();
    }

    boolean cancelled(String jobId) {
        return cancelled.containsKey(jobId);
    }
}
