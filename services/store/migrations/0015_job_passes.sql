-- `watch` and the console run jobs every few seconds to minutes and record only the passes that fail in job_runs
-- (a row per pass would fill it). Without a trace of the others, `fleetdeck jobs` and the console's Jobs view
-- said "never" for jobs that ran all day. This table keeps the latest successful unrecorded pass of each job:
-- one row per job, overwritten, the same columns as job_runs.
CREATE TABLE job_passes (
    job          TEXT PRIMARY KEY,
    trigger      TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    status       TEXT NOT NULL,
    summary      TEXT
) WITHOUT ROWID;
