package io.netwarden.dnc.polls;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A scheduled poll: which OIDs of which element, how often, and how the last run went. {@code oids} is a JSON array. */
@Entity
@Table(name = "poll")
public class PollEntity {

    @Id
    @Column(length = 36)
    public String id;

    @Column(nullable = false, length = 128)
    public String element;

    @Column(nullable = false, length = 32)
    public String operation;

    @Column(nullable = false, length = 4000)
    public String oids;

    @Column(name = "interval_ms", nullable = false)
    public long intervalMs;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "next_run_at", nullable = false)
    public Instant nextRunAt;

    @Column(name = "last_run_at")
    public Instant lastRunAt;

    @Column(name = "last_job", length = 36)
    public String lastJob;

    @Column(name = "last_status", length = 16)
    public String lastStatus;

    @Column(name = "last_error", length = 2000)
    public String lastError;
}
