-- Alerts and notification delivery: one delivery row per (outbox message, channel) so a failing channel never
-- holds back the others; channel health for `alerts list` and the console; thresholds already fired.

ALTER TABLE outbox ADD COLUMN channel TEXT;   -- NULL: every configured channel; else only this one (alerts test)

CREATE TABLE outbox_deliveries (
    outbox_id        INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    channel          TEXT NOT NULL,            -- slack, telegram, desktop, console
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    sent_at          INTEGER,
    PRIMARY KEY (outbox_id, channel)
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (channel, status, next_attempt_at);

CREATE TABLE notify_channels (
    channel               TEXT PRIMARY KEY,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    failing               INTEGER NOT NULL DEFAULT 0,
    blocked_until         INTEGER,              -- a 429's retry_after: nothing goes to this channel before it
    last_error            TEXT,
    last_ok_at            INTEGER,
    last_failure_at       INTEGER
);

-- Budget thresholds and spikes already announced, so each fires at most once per period.
CREATE TABLE alerts_fired (
    key       TEXT PRIMARY KEY,                 -- e.g. budget:daily:1767225600:95
    fired_at  INTEGER NOT NULL,
    detail    TEXT
);
