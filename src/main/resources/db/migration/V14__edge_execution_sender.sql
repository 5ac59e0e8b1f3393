-- A node's execution log is keyed by sender and id ("<fromNode>/<id>"): an id another sender used cannot block a message.
ALTER TABLE edge_execution ALTER COLUMN message_id SET DATA TYPE VARCHAR(140);
