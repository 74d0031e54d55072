-- Self-optimizer: each run, each file's review, and each proposed change with what became of it.

CREATE TABLE optimizer_runs (
    id           INTEGER PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    workspace    TEXT NOT NULL,
    model        TEXT NOT NULL,
    score        INTEGER,                     -- mean of the reviewed files' scores
    applied      INTEGER NOT NULL DEFAULT 0,
    suggested    INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    note         TEXT                         -- e.g. "workspace dirty: suggestions only"
);
CREATE INDEX optimizer_runs_started ON optimizer_runs (started_at);

CREATE TABLE optimizer_reviews (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES optimizer_runs (id) ON DELETE CASCADE,
    file     TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('reviewed', 'not_reviewed', 'missing')),
    score    INTEGER,
    issues   TEXT NOT NULL DEFAULT '[]',      -- JSON list of {severity, file, text}
    error    TEXT
);
CREATE INDEX optimizer_reviews_run ON optimizer_reviews (run_id);

CREATE TABLE optimizer_changes (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES optimizer_runs (id) ON DELETE CASCADE,
    file         TEXT NOT NULL,
    change_type  TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    patch        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'suggested', 'rejected', 'reverted')),
    reason       TEXT,                        -- why it was not applied
    commit_sha   TEXT,
    revert_sha   TEXT,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX optimizer_changes_status ON optimizer_changes (status, run_id);
