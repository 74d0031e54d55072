-- The task queue: indexes for ETA history and idempotent imports, and queue-depth samples for the sparkline.

CREATE INDEX prompts_history ON prompts (status, workflow, finished_at);
CREATE INDEX prompts_finished ON prompts (status, finished_at);
CREATE INDEX prompts_source ON prompts (source);

CREATE TABLE queue_depth (
    at       INTEGER PRIMARY KEY,     -- one sample per minute at most (UTC epoch seconds)
    pending  INTEGER NOT NULL,
    running  INTEGER NOT NULL
);

-- A prompt pinned to one session (`task add --session`); session_id stays "the session it was given to".
ALTER TABLE prompts ADD COLUMN pinned_session_id INTEGER;
