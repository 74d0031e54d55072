-- System metrics: raw samples (kept 48 h by default) and 15-minute rollups (kept 90 days by default).
-- metric is the documented name without the "fleetdeck_" prefix; labels is "k=v,k=v" sorted by key ('' none).

CREATE TABLE metric_samples (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    metric  TEXT NOT NULL,
    labels  TEXT NOT NULL DEFAULT '',
    value   REAL NOT NULL
);
CREATE INDEX metric_samples_at ON metric_samples (at);
CREATE INDEX metric_samples_metric_at ON metric_samples (metric, at);

-- One row per (bucket, metric, labels): mean/max/min of the raw samples it replaced, and how many there were,
-- so a late sample rolled into an existing bucket merges exactly.
CREATE TABLE metric_rollups (
    bucket   INTEGER NOT NULL,     -- bucket start, UTC epoch seconds
    seconds  INTEGER NOT NULL,     -- bucket width
    metric   TEXT NOT NULL,
    labels   TEXT NOT NULL DEFAULT '',
    count    INTEGER NOT NULL,
    mean     REAL NOT NULL,
    max      REAL NOT NULL,
    min      REAL NOT NULL,
    PRIMARY KEY (metric, labels, bucket)
);
CREATE INDEX metric_rollups_bucket ON metric_rollups (bucket);
