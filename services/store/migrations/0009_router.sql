-- Tiered model router: every decision, every attempt it made, feedback, and what it learned per task type.

CREATE TABLE router_decisions (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    task            TEXT NOT NULL,               -- the task text (first 2000 characters)
    task_type       TEXT NOT NULL,
    workflow        TEXT,
    tier            TEXT NOT NULL,               -- the tier routed to first
    model           TEXT NOT NULL,
    est_cost_micros INTEGER,
    difficulty      REAL,
    reasons         TEXT NOT NULL DEFAULT '[]',  -- JSON list of strings
    final_tier      TEXT,                        -- the tier that answered (after fallbacks)
    outcome         TEXT NOT NULL DEFAULT 'routed'
                    CHECK (outcome IN ('routed', 'ok', 'failed')),
    feedback        TEXT CHECK (feedback IN ('good', 'bad'))
);
CREATE INDEX router_decisions_at ON router_decisions (at);
CREATE INDEX router_decisions_type ON router_decisions (task_type, at);

CREATE TABLE router_attempts (
    id                   INTEGER PRIMARY KEY,
    decision_id          INTEGER NOT NULL REFERENCES router_decisions (id) ON DELETE CASCADE,
    at                   INTEGER NOT NULL,
    tier                 TEXT NOT NULL,
    model                TEXT NOT NULL,
    outcome              TEXT NOT NULL
                         CHECK (outcome IN ('ok', 'error', 'timeout', 'empty', 'refused', 'invalid', 'unavailable')),
    error                TEXT,
    latency_ms           INTEGER,
    api_call_id          INTEGER,                 -- api_calls.id of the spend row
    cost_micros          INTEGER,
    baseline_cost_micros INTEGER
);
CREATE INDEX router_attempts_decision ON router_attempts (decision_id);

CREATE TABLE router_feedback (
    id           INTEGER PRIMARY KEY,
    decision_id  INTEGER REFERENCES router_decisions (id) ON DELETE SET NULL,
    at           INTEGER NOT NULL,
    task_type    TEXT NOT NULL,
    tier         TEXT NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('good', 'bad')),
    source       TEXT NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'fallback'))
);
CREATE INDEX router_feedback_type ON router_feedback (task_type, at);

-- The lowest tier (index into the configured tiers) a task type is now sent to.
CREATE TABLE router_learned (
    task_type   TEXT PRIMARY KEY,
    min_tier    INTEGER NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,      -- bad outcomes at or below min_tier since the last change
    successes   INTEGER NOT NULL DEFAULT 0,      -- good outcomes at min_tier in a row
    updated_at  INTEGER NOT NULL,
    note        TEXT
);
