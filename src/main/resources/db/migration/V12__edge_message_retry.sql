-- When a delivered message without an answer is sent again (or fails, when its retries are spent).
ALTER TABLE edge_message ADD COLUMN next_try_at TIMESTAMP(6) WITH TIME ZONE;
CREATE INDEX edge_message_due ON edge_message (status, next_try_at);
