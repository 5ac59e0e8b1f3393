-- Edge nodes: each command a node has started, so that it runs at most once (a redelivery gets the stored result, a
-- command cut off by a crash is reported interrupted, never run again).
CREATE TABLE edge_execution (
    node        VARCHAR(64)   NOT NULL,
    message_id  VARCHAR(64)   NOT NULL,
    method      VARCHAR(64)   NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    output      TEXT,
    exit_code   INT,
    truncated   BOOLEAN       NOT NULL,
    error       VARCHAR(32),
    error_text  VARCHAR(2000),
    started_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    ended_at    TIMESTAMP(6) WITH TIME ZONE,
    PRIMARY KEY (node, message_id)
);
