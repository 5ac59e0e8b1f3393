-- A published message that neither a receipt nor an answer followed by its timeout (plus backoff) is published again
-- to a node that is online (the node runs each id at most once); nudges counts those publications, next_try_at (kept
-- for delivered messages already) says when the next is due.
ALTER TABLE edge_message ADD COLUMN nudges INT NOT NULL DEFAULT 0;
