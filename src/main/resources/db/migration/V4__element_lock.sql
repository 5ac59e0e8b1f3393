-- Lease locks on elements: provisioning jobs and operators take them so no two provisions interleave.
CREATE TABLE element_lock (
    element     VARCHAR(128) NOT NULL PRIMARY KEY REFERENCES network_element (name) ON DELETE CASCADE,
    holder      VARCHAR(255),
    token       BIGINT       NOT NULL,
    acquired_at TIMESTAMP(6) WITH TIME ZONE,
    expires_at  TIMESTAMP(6) WITH TIME ZONE,
    reason      VARCHAR(500)
);

-- provision jobs: the lock token they hold, and whether they wait for a locked element or fail at once
ALTER TABLE job ADD COLUMN lock_token BIGINT;
ALTER TABLE job ADD COLUMN on_locked VARCHAR(8);
