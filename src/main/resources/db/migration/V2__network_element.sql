-- Network elements managed by the dnc roles. Credentials are stored here and never returned by the API.
CREATE TABLE network_element (
    name                 VARCHAR(128) NOT NULL PRIMARY KEY,
    address              VARCHAR(255) NOT NULL,
    vendor               VARCHAR(64),
    model                VARCHAR(64),
    snmp_version         VARCHAR(8),
    snmp_port            INTEGER,
    snmp_community       VARCHAR(255),
    snmp_user            VARCHAR(255),
    snmp_auth_protocol   VARCHAR(16),
    snmp_auth_password   VARCHAR(255),
    snmp_priv_protocol   VARCHAR(16),
    snmp_priv_password   VARCHAR(255),
    snmp_timeout_ms      INTEGER,
    snmp_retries         INTEGER,
    snmp_max_repetitions INTEGER,
    telnet_port          INTEGER,
    telnet_username      VARCHAR(255),
    telnet_password      VARCHAR(255),
    created_at           TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
