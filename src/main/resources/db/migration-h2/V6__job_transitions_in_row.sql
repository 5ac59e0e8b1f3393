-- A job's status changes move into its row, as a JSON array (io.netwarden.dnc.jobs.JobHistory): each step of a job then
-- writes one row instead of two, with no foreign-key check. Written per database: JSON functions differ (PostgreSQL:
-- migration-postgresql).
ALTER TABLE job ADD COLUMN transitions VARCHAR;
UPDATE job SET transitions = (
    SELECT CAST(JSON_ARRAYAGG(JSON_OBJECT(
               'status': t.status, 'agent': t.agent, 'attempt': t.attempt,
               'at': FORMATDATETIME(t.at, 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z''', 'en', 'UTC'), 'detail': t.detail
               ABSENT ON NULL) ORDER BY t.id) AS VARCHAR)
    FROM job_transition t WHERE t.job_id = job.id);
DROP TABLE job_transition;
