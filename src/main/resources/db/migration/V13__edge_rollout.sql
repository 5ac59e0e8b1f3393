-- Staged rollouts: a message sent to nodes in waves, moving on while failures stay within the budget.
CREATE TABLE edge_rollout (
    id           VARCHAR(64)   NOT NULL PRIMARY KEY,
    template     TEXT          NOT NULL,
    method       VARCHAR(64)   NOT NULL,
    kind         VARCHAR(8)    NOT NULL,
    wave_size    INT           NOT NULL,
    max_failures INT           NOT NULL,
    waves        INT           NOT NULL,
    wave         INT           NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    reason       VARCHAR(2000),
    created_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP(6) WITH TIME ZONE
);
CREATE INDEX edge_rollout_status ON edge_rollout (status);
CREATE TABLE edge_rollout_node (
    rollout_id VARCHAR(64) NOT NULL,
    node       VARCHAR(64) NOT NULL,
    position   INT         NOT NULL,
    wave       INT         NOT NULL,
    message_id VARCHAR(64),
    PRIMARY KEY (rollout_id, node)
);
CREATE INDEX edge_rollout_node_wave ON edge_rollout_node (rollout_id, wave);
