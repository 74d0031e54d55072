-- Session health: actions scheduled by the health policies (usage-limit resume at reset time, crash restart
-- after a backoff, a resume prompt after a restart with handoff). A row is done once; a rerun skips it.

CREATE TABLE session_actions (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                 -- resume, crash_restart, handoff_restart
    due_at      INTEGER NOT NULL,
    payload     TEXT,                          -- JSON: prompt text, note path, ...
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'cancelled')),
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,
    error       TEXT
);
CREATE INDEX session_actions_due ON session_actions (status, due_at);
CREATE INDEX session_actions_session ON session_actions (session_id, kind, created_at);

ALTER TABLE sessions ADD COLUMN handoff_path TEXT;   -- the latest handoff note written for the session
