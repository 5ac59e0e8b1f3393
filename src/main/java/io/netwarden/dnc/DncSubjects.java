package io.netwarden.dnc;

/** NATS subjects of the network client (also used on the in-process bus). */
public final class DncSubjects {

    /** Agents of a pool share this queue: {@code dnc.jobs.<pool>}. */
    public static String jobs(String pool) {
        return "dnc.jobs." + pool;
    }

    /** Agents report job progress and results here; dispatchers share it as a queue group. */
    public static final String UPDATES = "dnc.updates";

    /**
     * Dispatchers hear that a job finished, to wake up callers waiting for it; published only while other dispatchers
     * are around (they say so on {@link #dispatcherHello}).
     */
    public static String finished(String jobId) {
        return "dnc.finished." + jobId;
    }

    public static final String FINISHED_ALL = "dnc.finished.*";

    /** The API cancelled a job: every agent hears it and stops the job if it runs it: {@code dnc.cancel.<job id>}. */
    public static String cancel(String jobId) {
        return "dnc.cancel." + jobId;
    }

    public static final String CANCEL_ALL = "dnc.cancel.*";

    /** A dispatcher's heartbeat, by process instance: {@code dnc.dispatchers.<instance>.hello}. */
    public static String dispatcherHello(String instance) {
        return "dnc.dispatchers." + instance + ".hello";
    }

    public static final String DISPATCHER_HELLO_ALL = "dnc.dispatchers.*.hello";

    /** An agent's heartbeat: {@code dnc.agents.<agent>.hello}. */
    public static String hello(String agent) {
        return "dnc.agents." + agent + ".hello";
    }

    public static final String HELLO_ALL = "dnc.agents.*.hello";

    private DncSubjects() {
    }

}
