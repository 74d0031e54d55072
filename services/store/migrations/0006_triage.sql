-- Error triage: template-miner state, error groups and their events, bugs, known fixes, tailed log files.

-- The message template miner's state (see services/triage/miner.py): plain rows, no pickled objects.
CREATE TABLE triage_templates (
    id          INTEGER PRIMARY KEY,
    template    TEXT NOT NULL,                 -- tokens joined by one space, <*> where messages differ
    count       INTEGER NOT NULL DEFAULT 0,
    variants    TEXT,                          -- JSON {position: [words seen]} for few-valued positions
    updated_at  INTEGER NOT NULL
);

-- One row per error signature.
CREATE TABLE error_groups (
    id              INTEGER PRIMARY KEY,
    signature       TEXT NOT NULL UNIQUE,      -- stable key: "py:Type|frames", "java:...", "msg:<template>"
    kind            TEXT NOT NULL CHECK (kind IN ('traceback', 'message')),
    title           TEXT NOT NULL,             -- exception type + message, or the template
    representative  TEXT NOT NULL,             -- one full sample (first seen)
    stack           TEXT,                      -- normalized stack of tracebacks
    masked          TEXT,                      -- masked text of message groups (re-keyed when templates widen)
    severity        TEXT NOT NULL DEFAULT 'error' CHECK (severity IN ('warning', 'error', 'critical')),
    count           INTEGER NOT NULL DEFAULT 0,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    sources         TEXT NOT NULL DEFAULT '[]', -- JSON list of source kinds (log, job, api, session)
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'muted', 'fixed')),
    bug_id          INTEGER REFERENCES bugs (id) ON DELETE SET NULL,
    template_id     INTEGER,                   -- triage_templates.id for message groups
    alerted_at      INTEGER,                   -- when a critical alert went out
    llm_fix         TEXT,                      -- cached LLM suggestion (marked as such wherever shown)
    llm_model       TEXT,
    llm_at          INTEGER
);
CREATE INDEX error_groups_last_seen ON error_groups (last_seen);

-- Occurrences (samples and counts over time); cleanup may prune old rows, counts stay on the group.
CREATE TABLE error_events (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES error_groups (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    source      TEXT NOT NULL,                 -- log, job, api, session, or a caller's own name
    origin      TEXT,                          -- file path, job name, model, session key
    text        TEXT NOT NULL,                 -- the message or whole traceback (truncated to 64 KB)
    flags       TEXT,                          -- e.g. "truncated"
    dedupe_key  TEXT UNIQUE                    -- makes re-ingesting a source idempotent
);
CREATE INDEX error_events_group_at ON error_events (group_id, at);
CREATE INDEX error_events_at ON error_events (at);

CREATE TABLE bugs (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    signature   TEXT,                          -- the signature it was filed for (new groups link by it)
    created_by  TEXT NOT NULL DEFAULT 'hand',  -- hand, rule:<name>, threshold
    fix_note    TEXT,
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER
);
CREATE INDEX bugs_signature ON bugs (signature);

-- Known fixes learned from bugs closed with a fix note (rules from the config are not copied here).
CREATE TABLE known_fixes (
    id          INTEGER PRIMARY KEY,
    signature   TEXT NOT NULL UNIQUE,
    fix         TEXT NOT NULL,
    bug_id      INTEGER,
    created_at  INTEGER NOT NULL
);

-- Where each source was read up to: log files by identity and offset, tables by last id.
CREATE TABLE triage_cursors (
    name        TEXT PRIMARY KEY,              -- "file:<path>", "job_runs", "api_calls"
    dev         INTEGER,
    inode       INTEGER,
    offset      INTEGER NOT NULL DEFAULT 0,
    archived    INTEGER NOT NULL DEFAULT 0,    -- bytes of a foreign file already archived (hole-punched)
    head        TEXT,                          -- hash of the first bytes: tells a replaced file apart
    updated_at  INTEGER NOT NULL
);

CREATE TABLE triage_summaries (
    hour        INTEGER PRIMARY KEY,           -- UTC epoch of the hour start
    data        TEXT NOT NULL                  -- JSON: new groups, top groups, rates
);
