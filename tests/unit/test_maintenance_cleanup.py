"""Cleanup rules on a real store: what goes, what stays, dry runs, orphans, other databases, recovery."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fleetdeck.services.config import load_config
from fleetdeck.services.maintenance.archive import (_encode, _write_verified, archive_dir, file_sha256, read_archive,
                                                    recover)
from fleetdeck.services.maintenance.cleanup import run_cleanup
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store

NOW = 1_767_225_600
DAY = 86400


def _seed(store: Store) -> None:
    store.execute("INSERT INTO sessions (id, key, name, created_at) VALUES (1, 'k1', 's1', ?)", (NOW,))
    store.executemany(
        "INSERT INTO prompts (text, status, created_at, finished_at, session_id) VALUES (?, ?, ?, ?, ?)",
        [("old done", "completed", NOW - 40 * DAY, NOW - 40 * DAY, 1),
         ("new done", "completed", NOW - 5 * DAY, NOW - 5 * DAY, 1),
         ("old failed", "failed", NOW - 40 * DAY, NOW - 40 * DAY, None),
         ("old pending", "pending", NOW - 40 * DAY, None, None)])
    store.executemany("INSERT INTO activity_log (at, source, message) VALUES (?, 'test', ?)",
                      [(NOW - 100 * DAY + i, f"old {i}") for i in range(25)] + [(NOW - DAY, "recent")])
    store.execute("PRAGMA foreign_keys = OFF")
    store.execute("INSERT INTO prompts (text, status, created_at, session_id) VALUES ('orphaned', 'pending', ?, 99)",
                  (NOW,))
    store.execute("INSERT INTO session_states (session_id, at, to_state) VALUES (99, ?, 'idle')", (NOW,))
    store.execute("INSERT INTO session_states (session_id, at, to_state) VALUES (1, ?, 'idle')", (NOW,))
    store.execute("PRAGMA foreign_keys = ON")


def test_dry_run_counts_each_rule_and_changes_nothing(store: Store, config) -> None:  # noqa: ANN001
    _seed(store)
    before = store.row_counts()
    report = run_cleanup(store, config, NOW, dry_run=True)
    counts = {r.rule.split(" ")[0] + ":" + r.action: r.matched for r in report.rules}
    assert counts["prompts:delete"] == 1
    assert counts["activity_log:archive"] == 25
    assert counts["orphan:delete"] == 1  # the session_state of session 99
    assert store.row_counts() == before


def test_cleanup_deletes_old_completed_prompts_archives_activity_and_unlinks_orphans(store: Store, config) -> None:  # noqa: ANN001,E501
    _seed(store)
    run_cleanup(store, config, NOW, dry_run=False)
    texts = sorted(r[0] for r in store.query("SELECT text FROM prompts"))
    assert texts == ["new done", "old failed", "old pending", "orphaned"]
    assert store.scalar("SELECT session_id FROM prompts WHERE text = 'orphaned'") is None
    assert store.scalar("SELECT count(*) FROM session_states") == 1
    assert [r[0] for r in store.query("SELECT message FROM activity_log")] == ["recent"]
    files = [Path(r[0]) for r in store.query("SELECT file FROM archive_batches WHERE state = 'done'")]
    assert sorted(row["message"] for f in files for row in read_archive(f)) == sorted(f"old {i}" for i in range(25))
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)


def test_other_databases_follow_their_own_rules(paths: Paths, store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER, kind TEXT)")
    conn.executemany("INSERT INTO events (ts, kind) VALUES (?, ?)",
                     [(NOW - 50 * DAY, "debug"), (NOW - 50 * DAY, "audit"), (NOW, "debug")])
    conn.commit()
    conn.close()
    paths.config_file.write_text(
        f'[maintenance]\ndatabases = [{{ path = "{other}", rules = [{{ table = "events", time_column = "ts",'
        ' older_than_days = 30, where = "kind = \'debug\'", archive = true }] }, { path = "/nope/missing.db" }]\n')
    report = run_cleanup(store, load_config(paths), NOW, dry_run=False)
    assert report.skipped == [{"db": "/nope/missing.db", "reason": "database file not found"}]
    conn = sqlite3.connect(other)
    assert sorted(r[0] for r in conn.execute("SELECT kind FROM events")) == ["audit", "debug"]
    conn.close()
    archived = store.query("SELECT rows, source FROM archive_batches")
    assert [(r[0], r[1]) for r in archived] == [(1, "events")]


def test_recovery_finishes_a_written_batch_and_drops_an_unrecorded_file(store: Store, config) -> None:  # noqa: ANN001
    _seed(store)
    run_cleanup(store, config, NOW, dry_run=False)
    batch = store.query_one("SELECT * FROM archive_batches")
    archived = list(read_archive(Path(batch["file"])))
    # Put the state back to "killed after recording the file, before all deletes": half the rows are back.
    store.executemany("INSERT INTO activity_log (id, at, level, source, session_id, prompt_id, message, data)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      [(r["id"], r["at"], r["level"], r["source"], r["session_id"], r["prompt_id"], r["message"],
                        r["data"]) for r in archived[:10]])
    store.execute("UPDATE archive_batches SET state = 'written'")
    # A file a killed run renamed but never recorded: its rows are all still in the database.
    leftover = Path(batch["file"]).with_name("activity_log-1-10-3.jsonl.gz")
    _write_verified(leftover, _encode(archived[:10]))
    # An unrecorded file whose rows are not in the database (e.g. an older database was restored).
    foreign = archive_dir(store) / "elsewhere-1234" / "events-1-2-3.jsonl.gz"
    foreign.parent.mkdir()
    foreign.write_bytes(Path(batch["file"]).read_bytes())

    result = recover(store, lambda path: store.conn, 100)

    assert result == {"files_removed": 1, "batches_finished": 1, "rows_deleted": 10, "files_set_aside": 1}
    assert not leftover.exists() and not foreign.exists()
    assert (archive_dir(store) / "unrecorded" / "elsewhere-1234-events-1-2-3.jsonl.gz").exists()
    assert file_sha256(Path(batch["file"])) == batch["sha256"]
    assert [r[0] for r in store.query("SELECT message FROM activity_log")] == ["recent"]
