-- Edge nodes the central has heard from (hellos): the node list, with the key each one signs with (pinned at first
-- sight).
CREATE TABLE edge_node (
    name            VARCHAR(64)   NOT NULL PRIMARY KEY,
    online          BOOLEAN       NOT NULL,
    first_seen      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    last_seen       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    version         VARCHAR(64)   NOT NULL,
    roles           VARCHAR(200)  NOT NULL,
    key_fingerprint VARCHAR(64)   NOT NULL,
    public_key      VARCHAR(1000) NOT NULL
);
