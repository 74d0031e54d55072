-- Foundation tables. Times are UTC epoch seconds (INTEGER); JSON columns hold compact JSON text.

CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,      -- stable identity chosen by the poller (socket + pane)
    name              TEXT NOT NULL,
    socket            TEXT NOT NULL DEFAULT 'default',
    tmux_session      TEXT,
    pane_id           TEXT,                      -- tmux pane id, e.g. %3
    pane_pid          INTEGER,
    agent_kind        TEXT NOT NULL DEFAULT 'shell',   -- claude, codex, aider, gemini, shell
    project_dir       TEXT,
    state             TEXT NOT NULL DEFAULT 'unknown', -- working, permission, idle, usage_limited, dead, unknown
    state_since       INTEGER,
    context_left      INTEGER,                   -- percent, NULL when the screen does not say
    reset_at          INTEGER,                   -- usage limit reset time
    detail            TEXT,                      -- what the detector saw (permission text, limit line)
    agent_session_id  TEXT,                      -- e.g. Claude Code's session uuid
    transcript_path   TEXT,
    restart_policy    TEXT NOT NULL DEFAULT 'off' CHECK (restart_policy IN ('off', 'ask', 'auto')),
    restarts          INTEGER NOT NULL DEFAULT 0,
    workflow          TEXT,
    current_prompt_id INTEGER,
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    last_seen_at      INTEGER,
    gone_at           INTEGER                    -- set when the pane disappears
);
CREATE INDEX sessions_state ON sessions (state);

CREATE TABLE session_states (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    detail      TEXT
);
CREATE INDEX session_states_session_at ON session_states (session_id, at);

CREATE TABLE prompts (
    id            INTEGER PRIMARY KEY,
    text          TEXT NOT NULL,
    project_dir   TEXT,
    workflow      TEXT,
    priority      INTEGER NOT NULL DEFAULT 0,
    agent_kind    TEXT,                          -- NULL: any kind
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'assigning', 'running', 'completed', 'failed', 'cancelled')),
    session_id    INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 3,
    error         TEXT,
    source        TEXT,
    created_at    INTEGER NOT NULL,
    assigned_at   INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    updated_at    INTEGER
);
CREATE INDEX prompts_queue ON prompts (status, priority DESC, created_at);
CREATE INDEX prompts_session ON prompts (session_id);

-- What happened, for people: shown in the console's activity log, archived by cleanup after 90 days.
-- session_id / prompt_id are plain integers (no foreign key) so history outlives what it mentions.
CREATE TABLE activity_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    level       TEXT NOT NULL DEFAULT 'info' CHECK (level IN ('debug', 'info', 'warning', 'error', 'critical')),
    source      TEXT NOT NULL,
    session_id  INTEGER,
    prompt_id   INTEGER,
    message     TEXT NOT NULL,
    data        TEXT
);
CREATE INDEX activity_log_at ON activity_log (at);

CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY,
    job          TEXT NOT NULL,
    trigger      TEXT NOT NULL DEFAULT 'cli',    -- cli, console, watch, cron
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    status       TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    dry_run      INTEGER NOT NULL DEFAULT 0,
    pid          INTEGER,
    summary      TEXT,
    error        TEXT
);
CREATE INDEX job_runs_job_started ON job_runs (job, started_at);

-- Notifications waiting to go out; the notify service delivers and retries them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    created_at       INTEGER NOT NULL,
    severity         TEXT NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning', 'critical')),
    source           TEXT NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL DEFAULT '',
    dedupe_key       TEXT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    last_error       TEXT,
    sent_at          INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX outbox_dedupe ON outbox (dedupe_key, created_at);
