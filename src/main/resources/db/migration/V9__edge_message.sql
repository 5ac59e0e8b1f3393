-- Edge messages this node sent, and how each ended (the steward message log, with tracking).
CREATE TABLE edge_message (
    id           VARCHAR(64)   NOT NULL PRIMARY KEY,
    subject      VARCHAR(200)  NOT NULL,
    to_node      VARCHAR(64)   NOT NULL,
    kind         VARCHAR(8)    NOT NULL,
    method       VARCHAR(64)   NOT NULL,
    data         TEXT          NOT NULL,
    timeout_ms   BIGINT        NOT NULL,
    retries      INT           NOT NULL,
    expires_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    published    BOOLEAN       NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    output       TEXT,
    exit_code    INT,
    truncated    BOOLEAN       NOT NULL,
    error        VARCHAR(32),
    error_text   VARCHAR(2000),
    attempts     INT           NOT NULL,
    created_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    delivered_at TIMESTAMP(6) WITH TIME ZONE,
    acked_at     TIMESTAMP(6) WITH TIME ZONE
);
CREATE INDEX edge_message_node ON edge_message (to_node, created_at);
CREATE INDEX edge_message_open ON edge_message (status, published);
