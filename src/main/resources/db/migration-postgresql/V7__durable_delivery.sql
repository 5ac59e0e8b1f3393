-- Durable delivery without NATS (io.netwarden.platform.messaging.durable.DatabaseDelivery): streams, their messages,
-- and what each durable consumer has been given and has acknowledged.
CREATE TABLE durable_stream (
    name       VARCHAR(64)   NOT NULL PRIMARY KEY,
    subjects   VARCHAR(2000) NOT NULL,
    max_age_ms BIGINT        NOT NULL,
    last_seq   BIGINT        NOT NULL
);

CREATE TABLE durable_message (
    stream    VARCHAR(64)  NOT NULL,
    seq       BIGINT       NOT NULL,
    subject   VARCHAR(512) NOT NULL,
    msg_id    VARCHAR(200),
    headers   VARCHAR(8000),
    data      BYTEA        NOT NULL,
    stored_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (stream, seq)
);
CREATE UNIQUE INDEX durable_message_id ON durable_message (stream, msg_id);
CREATE INDEX durable_message_age ON durable_message (stream, stored_at);

CREATE TABLE durable_consumer (
    stream    VARCHAR(64)  NOT NULL,
    name      VARCHAR(64)  NOT NULL,
    filter    VARCHAR(512) NOT NULL,
    floor_seq BIGINT       NOT NULL,
    PRIMARY KEY (stream, name)
);

CREATE TABLE durable_attempt (
    stream   VARCHAR(64) NOT NULL,
    consumer VARCHAR(64) NOT NULL,
    seq      BIGINT      NOT NULL,
    attempts INT         NOT NULL,
    next_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    done     BOOLEAN     NOT NULL,
    PRIMARY KEY (stream, consumer, seq)
);
