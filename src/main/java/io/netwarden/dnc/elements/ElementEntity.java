package io.netwarden.dnc.elements;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A network element row. The SNMP block is absent when {@code snmpVersion} is null, the telnet block when {@code telnetPort} is. */
@Entity
@Table(name = "network_element")
public class ElementEntity {

    @Id
    @Column(length = 128)
    public String name;

    @Column(nullable = false)
    public String address;

    @Column(length = 64)
    public String vendor;

    @Column(length = 64)
    public String model;

    @Column(name = "snmp_version", length = 8)
    public String snmpVersion;

    @Column(name = "snmp_port")
    public Integer snmpPort;

    @Column(name = "snmp_community")
    public String snmpCommunity;

    @Column(name = "snmp_user")
    public String snmpUser;

    @Column(name = "snmp_auth_protocol", length = 16)
    public String snmpAuthProtocol;

    @Column(name = "snmp_auth_password")
    public String snmpAuthPassword;

    @Column(name = "snmp_priv_protocol", length = 16)
    public String snmpPrivProtocol;

    @Column(name = "snmp_priv_password")
    public String snmpPrivPassword;

    @Column(name = "snmp_timeout_ms")
    public Integer snmpTimeoutMs;

    @Column(name = "snmp_retries")
    public Integer snmpRetries;

    @Column(name = "snmp_max_repetitions")
    public Integer snmpMaxRepetitions;

    @Column(name = "telnet_port")
    public Integer telnetPort;

    @Column(name = "telnet_username")
    public String telnetUsername;

    @Column(name = "telnet_password")
    public String telnetPassword;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
