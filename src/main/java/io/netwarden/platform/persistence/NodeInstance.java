package io.netwarden.platform.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One start of a Netwarden process against this database: which node, which roles, when it started and stopped. */
@Entity
@Table(name = "node_instance")
public class NodeInstance {

    @Id
    @Column(name = "instance_id", length = 64)
    public String instanceId;

    @Column(name = "node_name", nullable = false)
    public String nodeName;

    /** Comma list of role ids. */
    @Column(name = "roles", nullable = false)
    public String roles;

    @Column(name = "version", nullable = false, length = 64)
    public String version;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "stopped_at")
    public Instant stoppedAt;
}
