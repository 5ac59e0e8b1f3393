-- A job's status changes move into its row, as a JSON array (io.netwarden.dnc.jobs.JobHistory): each step of a job then
-- writes one row instead of two, with no foreign-key check. Written per database: JSON functions differ (H2: migration-h2).
ALTER TABLE job ADD COLUMN transitions VARCHAR;
UPDATE job SET transitions = (
    SELECT json_agg(json_strip_nulls(json_build_object(
               'status', t.status, 'agent', t.agent, 'attempt', t.attempt,
               'at', to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'detail', t.detail)) ORDER BY t.id)::text
    FROM job_transition t WHERE t.job_id = job.id);
DROP TABLE job_transition;
