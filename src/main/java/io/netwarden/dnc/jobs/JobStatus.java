package io.netwarden.dnc.jobs;

import java.util.Locale;

/** Where a job is: queued → running → succeeded | failed | timed_out. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == TIMED_OUT;
    }

    /** The lower-case name used in JSON and the database. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus parse(String id) {
        try {
            return valueOf(id.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown status '" + id + "'; one of queued, running, succeeded, failed, timed_out");
        }
    }
}
