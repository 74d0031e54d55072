-- Maintenance bookkeeping: archive batches (copy -> verify -> delete, resumable) and the backup catalogue.

-- One row per archive file. state 'written': the file is complete and verified, its rows may still be in the
-- source database (a rerun finishes deleting them); 'done': the rows are gone from the source.
CREATE TABLE archive_batches (
    id          INTEGER PRIMARY KEY,
    db_path     TEXT NOT NULL,          -- the database the rows came from
    source      TEXT NOT NULL,          -- table name
    file        TEXT NOT NULL UNIQUE,   -- path of the .jsonl.gz file
    min_id      INTEGER NOT NULL,
    max_id      INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    min_at      INTEGER,
    max_at      INTEGER,
    sha256      TEXT NOT NULL,          -- of the uncompressed content
    state       TEXT NOT NULL DEFAULT 'written' CHECK (state IN ('written', 'done')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX archive_batches_source ON archive_batches (db_path, source, min_id);

-- Every backup file fleetdeck made and still knows about, local and remote copies alike.
CREATE TABLE backups (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('database', 'files')),
    source       TEXT NOT NULL,          -- the database path, or 'logs+configs'
    file         TEXT NOT NULL UNIQUE,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    verified     INTEGER NOT NULL DEFAULT 0,
    remote       TEXT,                   -- where the uploaded copy is, NULL when not uploaded
    remote_at    INTEGER,
    deleted_at   INTEGER                 -- set when retention removed it
);
CREATE INDEX backups_created ON backups (created_at);
