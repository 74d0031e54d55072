-- One row per API call, from any source (explicit log, SDK wrapper, agent transcripts, the router).
CREATE TABLE api_calls (
    id                    INTEGER PRIMARY KEY,
    at                    INTEGER NOT NULL,         -- UTC epoch seconds of the call
    model                 TEXT NOT NULL,            -- resolved model id
    provider              TEXT,                     -- anthropic, openai, local, ...
    workflow              TEXT,
    session               TEXT,                     -- agent session id (e.g. Claude Code's uuid) or a label
    fleet_session_id      INTEGER,                  -- sessions.id when known
    project_dir           TEXT,
    input_tokens          INTEGER NOT NULL DEFAULT 0,   -- uncached input
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens    INTEGER NOT NULL DEFAULT 0,
    cost_micros           INTEGER,                  -- NULL: no known price (reported, never counted as $0)
    baseline_cost_micros  INTEGER,                  -- what the baseline model would have cost
    latency_ms            INTEGER,
    status                TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error')),
    error                 TEXT,
    source                TEXT NOT NULL,            -- log, sdk, claude, codex, router
    dedupe_key            TEXT UNIQUE,              -- e.g. message.id + requestId for transcripts
    request_id            TEXT
);
CREATE INDEX api_calls_at ON api_calls (at);
CREATE INDEX api_calls_workflow_at ON api_calls (workflow, at);
CREATE INDEX api_calls_model_at ON api_calls (model, at);
CREATE INDEX api_calls_session ON api_calls (session);

-- How far each transcript file has been read. Committed in the same transaction as the rows it produced,
-- so an ingest killed at any point resumes exactly where its last commit ended.
CREATE TABLE ingest_files (
    path         TEXT PRIMARY KEY,
    source       TEXT NOT NULL,                 -- claude, codex
    offset       INTEGER NOT NULL DEFAULT 0,    -- bytes consumed (always at a line boundary)
    size         INTEGER NOT NULL DEFAULT 0,    -- file size when last read
    mtime_ns     INTEGER NOT NULL DEFAULT 0,
    inode        INTEGER,
    torn_lines   INTEGER NOT NULL DEFAULT 0,
    skipped      TEXT,                          -- why the file (or a part) was skipped
    state        TEXT,                          -- parser state carried between runs (JSON), e.g. Codex totals
    updated_at   INTEGER NOT NULL
);
