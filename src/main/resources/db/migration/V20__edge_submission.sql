-- A POST /api/v1/edge/messages with an Idempotency-Key header: the key, a hash of its body and the ids of the messages
-- it stored, written in the same transaction as the messages. The same key again returns those messages instead of
-- sending new ones; kept as long as netwarden.edge.retention.
CREATE TABLE edge_submission (
    idempotency_key VARCHAR(128)  NOT NULL PRIMARY KEY,
    body_sha256     VARCHAR(64)   NOT NULL,
    message_ids     TEXT          NOT NULL,
    created_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX edge_submission_created ON edge_submission (created_at);
