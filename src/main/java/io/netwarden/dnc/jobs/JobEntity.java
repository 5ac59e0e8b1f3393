package io.netwarden.dnc.jobs;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A job row. {@code request} and {@code result} hold JSON; status is {@link JobStatus#id()}. */
@Entity
@Table(name = "job")
public class JobEntity {

    @Id
    @Column(length = 36)
    public String id;

    @Column(nullable = false, length = 128)
    public String element;

    @Column(nullable = false, length = 32)
    public String operation;

    /** {@code {"oids":[…]}} or {@code {"commands":[…]}}. */
    @Column(nullable = false)
    @JdbcTypeCode(SqlTypes.VARCHAR) // unbounded VARCHAR on both databases, not a CLOB
    public String request;

    @Column(nullable = false, length = 64)
    public String pool;

    @Column(nullable = false, length = 16)
    public String status;

    public String agent;

    @Column(nullable = false)
    public int attempt;

    @Column(name = "timeout_ms", nullable = false)
    public int timeoutMs;

    @JdbcTypeCode(SqlTypes.VARCHAR)
    public String result;

    @Column(name = "error_code", length = 64)
    public String errorCode;

    @Column(length = 2000)
    public String error;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** Last time the job was published to the agents' queue. */
    @Column(name = "dispatched_at")
    public Instant dispatchedAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** Provision: the element lock token this job holds. */
    @Column(name = "lock_token")
    public Long lockToken;

    /** Set when a scheduled poll created the job. */
    @Column(name = "poll_id", length = 36)
    public String pollId;

    /** Provision: {@code wait} (default) or {@code fail} when the element is locked. */
    @Column(name = "on_locked", length = 8)
    public String onLocked;

    /** Every status change, oldest first: a JSON array written by {@link JobHistory}. */
    @JdbcTypeCode(SqlTypes.VARCHAR)
    public String transitions;
}
