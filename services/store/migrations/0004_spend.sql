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

-- Hourly sums of api_calls per model and workflow, kept exact by triggers, so a 30-day report over a million
-- calls reads a few thousand rows. Reports fall back to api_calls for session/project groupings, bounds that
-- are not whole hours, and timezones whose offset is not a whole number of hours.
CREATE TABLE api_calls_hourly (
    hour                  INTEGER NOT NULL,          -- at / 3600 * 3600
    model                 TEXT NOT NULL,
    workflow              TEXT NOT NULL,             -- '' where api_calls.workflow is NULL
    calls                 INTEGER NOT NULL DEFAULT 0,
    input_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens         INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens    INTEGER NOT NULL DEFAULT 0,
    cost_micros           INTEGER NOT NULL DEFAULT 0,   -- priced calls only
    baseline_cost_micros  INTEGER NOT NULL DEFAULT 0,   -- priced calls only
    unknown_calls         INTEGER NOT NULL DEFAULT 0,
    unknown_tokens        INTEGER NOT NULL DEFAULT 0,
    errors                INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, model, workflow)
) WITHOUT ROWID;

CREATE TRIGGER api_calls_hourly_insert AFTER INSERT ON api_calls BEGIN
    INSERT INTO api_calls_hourly (hour, model, workflow, calls, input_tokens, output_tokens, cache_read_tokens,
                                  cache_write_tokens, cost_micros, baseline_cost_micros, unknown_calls,
                                  unknown_tokens, errors)
    VALUES (NEW.at / 3600 * 3600, NEW.model, coalesce(NEW.workflow, ''), 1, NEW.input_tokens, NEW.output_tokens,
            NEW.cache_read_tokens, NEW.cache_write_tokens, coalesce(NEW.cost_micros, 0),
            CASE WHEN NEW.cost_micros IS NOT NULL THEN coalesce(NEW.baseline_cost_micros, 0) ELSE 0 END,
            NEW.cost_micros IS NULL,
            CASE WHEN NEW.cost_micros IS NULL THEN NEW.input_tokens + NEW.output_tokens + NEW.cache_read_tokens
                                                   + NEW.cache_write_tokens ELSE 0 END,
            NEW.status = 'error')
    ON CONFLICT (hour, model, workflow) DO UPDATE SET
        calls = calls + excluded.calls, input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
        cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
        cost_micros = cost_micros + excluded.cost_micros,
        baseline_cost_micros = baseline_cost_micros + excluded.baseline_cost_micros,
        unknown_calls = unknown_calls + excluded.unknown_calls,
        unknown_tokens = unknown_tokens + excluded.unknown_tokens, errors = errors + excluded.errors;
END;

CREATE TRIGGER api_calls_hourly_delete AFTER DELETE ON api_calls BEGIN
    UPDATE api_calls_hourly SET
        calls = calls - 1, input_tokens = input_tokens - OLD.input_tokens,
        output_tokens = output_tokens - OLD.output_tokens,
        cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
        cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
        cost_micros = cost_micros - coalesce(OLD.cost_micros, 0),
        baseline_cost_micros = baseline_cost_micros
            - CASE WHEN OLD.cost_micros IS NOT NULL THEN coalesce(OLD.baseline_cost_micros, 0) ELSE 0 END,
        unknown_calls = unknown_calls - (OLD.cost_micros IS NULL),
        unknown_tokens = unknown_tokens - CASE WHEN OLD.cost_micros IS NULL THEN OLD.input_tokens + OLD.output_tokens
                                               + OLD.cache_read_tokens + OLD.cache_write_tokens ELSE 0 END,
        errors = errors - (OLD.status = 'error')
    WHERE hour = OLD.at / 3600 * 3600 AND model = OLD.model AND workflow = coalesce(OLD.workflow, '');
END;

CREATE TRIGGER api_calls_hourly_update AFTER UPDATE OF at, model, workflow, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, cost_micros, baseline_cost_micros, status ON api_calls BEGIN
    UPDATE api_calls_hourly SET
        calls = calls - 1, input_tokens = input_tokens - OLD.input_tokens,
        output_tokens = output_tokens - OLD.output_tokens,
        cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens,
        cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens,
        cost_micros = cost_micros - coalesce(OLD.cost_micros, 0),
        baseline_cost_micros = baseline_cost_micros
            - CASE WHEN OLD.cost_micros IS NOT NULL THEN coalesce(OLD.baseline_cost_micros, 0) ELSE 0 END,
        unknown_calls = unknown_calls - (OLD.cost_micros IS NULL),
        unknown_tokens = unknown_tokens - CASE WHEN OLD.cost_micros IS NULL THEN OLD.input_tokens + OLD.output_tokens
                                               + OLD.cache_read_tokens + OLD.cache_write_tokens ELSE 0 END,
        errors = errors - (OLD.status = 'error')
    WHERE hour = OLD.at / 3600 * 3600 AND model = OLD.model AND workflow = coalesce(OLD.workflow, '');
    INSERT INTO api_calls_hourly (hour, model, workflow, calls, input_tokens, output_tokens, cache_read_tokens,
                                  cache_write_tokens, cost_micros, baseline_cost_micros, unknown_calls,
                                  unknown_tokens, errors)
    VALUES (NEW.at / 3600 * 3600, NEW.model, coalesce(NEW.workflow, ''), 1, NEW.input_tokens, NEW.output_tokens,
            NEW.cache_read_tokens, NEW.cache_write_tokens, coalesce(NEW.cost_micros, 0),
            CASE WHEN NEW.cost_micros IS NOT NULL THEN coalesce(NEW.baseline_cost_micros, 0) ELSE 0 END,
            NEW.cost_micros IS NULL,
            CASE WHEN NEW.cost_micros IS NULL THEN NEW.input_tokens + NEW.output_tokens + NEW.cache_read_tokens
                                                   + NEW.cache_write_tokens ELSE 0 END,
            NEW.status = 'error')
    ON CONFLICT (hour, model, workflow) DO UPDATE SET
        calls = calls + excluded.calls, input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
        cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
        cost_micros = cost_micros + excluded.cost_micros,
        baseline_cost_micros = baseline_cost_micros + excluded.baseline_cost_micros,
        unknown_calls = unknown_calls + excluded.unknown_calls,
        unknown_tokens = unknown_tokens + excluded.unknown_tokens, errors = errors + excluded.errors;
END;
