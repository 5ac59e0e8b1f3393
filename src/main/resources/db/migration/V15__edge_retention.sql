-- Edge housekeeping deletes what is older than netwarden.edge.retention: these let it find the old rows without a
-- scan of the whole table.
CREATE INDEX edge_message_created ON edge_message (created_at);
CREATE INDEX edge_execution_started ON edge_execution (started_at);
CREATE INDEX edge_error_at ON edge_error (at);
