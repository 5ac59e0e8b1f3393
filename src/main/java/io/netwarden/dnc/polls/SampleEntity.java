package io.netwarden.dnc.polls;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One value a poll collected. */
@Entity
@Table(name = "sample")
public class SampleEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "poll_id", nullable = false, length = 36)
    public String pollId;

    @Column(nullable = false, length = 128)
    public String element;

    @Column(nullable = false, length = 1408)
    public String oid;

    @Column(nullable = false, length = 32)
    public String type;

    @Column(name = "value_text", nullable = false, length = 4000) // VALUE is reserved in H2
    public String value;

    @Column(nullable = false)
    public Instant at;
}
