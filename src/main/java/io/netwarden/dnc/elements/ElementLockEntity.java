package io.netwarden.dnc.elements;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The lease lock of one element. The row stays after release (holder null) so the fencing token only ever grows.
 */
@Entity
@Table(name = "element_lock")
public class ElementLockEntity {

    @Id
    @Column(length = 128)
    public String element;

    /** {@code job:<id>} or {@code operator:<name>}; null when free. */
    public String holder;

    @Column(nullable = false)
    public long token;

    @Column(name = "acquired_at")
    public Instant acquiredAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(length = 500)
    public String reason;
}
