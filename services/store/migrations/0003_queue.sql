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

-- The last session_states id of the session when a prompt was claimed: after a crash, only transitions
-- recorded after this mark count as evidence that the prompt reached the agent (seconds are too coarse).
ALTER TABLE prompts ADD COLUMN assign_mark INTEGER;
