-- Portable SQL: runs on PostgreSQL and H2 alike.
CREATE TABLE node_instance (
    instance_id VARCHAR(64)  NOT NULL PRIMARY KEY,
    node_name   VARCHAR(255) NOT NULL,
    roles       VARCHAR(255) NOT NULL,
    version     VARCHAR(64)  NOT NULL,
    started_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    stopped_at  TIMESTAMP(6) WITH TIME ZONE
);
CREATE INDEX node_instance_started_at ON node_instance (started_at);
