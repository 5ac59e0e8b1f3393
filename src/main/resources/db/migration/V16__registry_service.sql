-- Services the registry role admitted from SSDP advertisements (the database backend): one row per USN, shared by every
-- registry instance on this database, and one sighting per instance that sees it. A service goes when its last
-- sighting does (byebye, expiry, or its URN leaving the whitelist).
CREATE TABLE registry_service (
    usn          VARCHAR(512)  NOT NULL PRIMARY KEY,
    urn          VARCHAR(255)  NOT NULL,
    tag          VARCHAR(128)  NOT NULL,
    address      VARCHAR(64)   NOT NULL,
    port         INT           NOT NULL,
    location     VARCHAR(1024) NOT NULL,
    server       VARCHAR(256)  NOT NULL,
    boot_id      BIGINT,
    config_id    BIGINT,
    device       TEXT,
    status       VARCHAR(16)   NOT NULL,
    first_seen   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    last_seen    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX registry_service_tag ON registry_service (tag, urn);
CREATE INDEX registry_service_urn ON registry_service (urn);

CREATE TABLE registry_sighting (
    usn          VARCHAR(512)  NOT NULL,
    instance     VARCHAR(128)  NOT NULL,
    last_seen    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (usn, instance)
);
CREATE INDEX registry_sighting_expires ON registry_sighting (expires_at);
CREATE INDEX registry_sighting_instance ON registry_sighting (instance);
