package io.netwarden.dnc.jobs;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One status change of a job: when, to what, by which agent, in which attempt. */
@Entity
@Table(name = "job_transition")
public class JobTransitionEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id", nullable = false, length = 36)
    public String jobId;

    @Column(nullable = false, length = 16)
    public String status;

    public String agent;

    @Column(nullable = false)
    public int attempt;

    @Column(nullable = false)
    public Instant at;

    @Column(length = 2000)
    public String detail;
}
