-- Changes to the registry's URN whitelist made through the API, shared by every registry instance on this database and
-- kept across restarts. A row with a tag adds (or re-tags) its URN; a row without one takes the URN off the whitelist,
-- also when the URN comes from the configuration.
CREATE TABLE registry_search_term (
    urn          VARCHAR(255)  NOT NULL PRIMARY KEY,
    tag          VARCHAR(128),
    changed_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    changed_by   VARCHAR(128)  NOT NULL
);
