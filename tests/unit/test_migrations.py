"""Schema migrations: every older database reaches the latest version; a newer one is refused untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fleetdeck.services.exitcodes import ExitCode
from fleetdeck.services.store import SchemaTooNewError, Store, connect
from fleetdeck.services.store.migrate import available_migrations, latest_version, migrate, split_statements


def test_a_fresh_database_reaches_the_latest_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.db") as store:
        assert store.schema_version() == latest_version()
        assert {"sessions", "prompts", "activity_log", "job_runs"} <= set(store.tables())
        assert store.integrity_check() == ["ok"]


@pytest.mark.parametrize("start", [m.number for m in available_migrations()][:-1] or [0])
def test_a_database_at_every_older_version_reaches_the_latest(tmp_path: Path, start: int) -> None:
    path = tmp_path / f"v{start}.db"
    conn = connect(path)
    assert migrate(conn, upto=start) == start
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version() == latest_version()
        fresh = Store.open(tmp_path / "fresh.db")
        assert store.tables() == fresh.tables()
        fresh.close()


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    Store.open(path).close()
    with Store.open(path) as store:
        assert store.schema_version() == latest_version()


def test_a_database_from_a_newer_fleetdeck_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    conn = connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(SchemaTooNewError) as caught:
        Store.open(path)
    assert caught.value.exit_code == ExitCode.CONFIG
    assert "newer" in str(caught.value) and str(path) in str(caught.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_migration_files_are_numbered_uniquely_and_split_cleanly() -> None:
    migrations = available_migrations()
    numbers = [m.number for m in migrations]
    assert numbers == sorted(set(numbers))
    for migration in migrations:
        assert split_statements(migration.sql), migration.name


def test_the_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    Store.open(path).close()
    assert path.stat().st_mode & 0o077 == 0
