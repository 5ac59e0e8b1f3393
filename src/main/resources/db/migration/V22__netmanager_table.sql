-- The netmanager cluster's global table: services with their service IPs (10.32.0.0/16), the instances nodes report
-- deployed (with an instance IP from the same range), and which nodes asked about which service (they are told when it
-- changes).
CREATE TABLE netmanager_service (
    name          VARCHAR(128)  NOT NULL PRIMARY KEY,
    created_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
-- Every service IP handed out, of every kind: one table, so that no address is handed out twice.
CREATE TABLE netmanager_service_ip (
    address          INT           NOT NULL PRIMARY KEY,
    service          VARCHAR(128)  NOT NULL,
    kind             VARCHAR(16)   NOT NULL,
    instance_number  INT
);
CREATE INDEX netmanager_service_ip_service ON netmanager_service_ip (service);
CREATE TABLE netmanager_instance (
    service          VARCHAR(128)  NOT NULL,
    instance_number  INT           NOT NULL,
    node             VARCHAR(128)  NOT NULL,
    ns_ip            VARCHAR(45)   NOT NULL,
    ns_ip_v6         VARCHAR(45),
    host_ip          VARCHAR(45)   NOT NULL,
    host_port        INT           NOT NULL,
    deployed_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (service, instance_number)
);
CREATE INDEX netmanager_instance_node ON netmanager_instance (node);
CREATE TABLE netmanager_interest (
    service  VARCHAR(128)  NOT NULL,
    node     VARCHAR(128)  NOT NULL,
    since    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (service, node)
);
