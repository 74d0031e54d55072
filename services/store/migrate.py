"""Numbered schema migrations tracked with PRAGMA user_version.

Migrations live in ``services/store/migrations/NNNN_name.sql``. Once a migration has landed it is never
edited: a change is a new file with the next free number. Numbers may have gaps (areas reserve theirs), but
they only ever increase. Each migration runs in its own BEGIN IMMEDIATE transaction together with the
user_version bump, so a crash leaves the database at the previous version, never half-migrated.
"""

from __future__ import annotations

import os
import re
import sqlite3
from functools import cache
from typing import NamedTuple

from ..errors import ConfigError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_FOLDER = os.path.join(os.path.dirname(__file__), "migrations")


class SchemaTooNewError(ConfigError):
    """The database was written by a newer fleetdeck; opening it could damage it."""


class Migration(NamedTuple):  # not a dataclass: importing dataclasses costs every CLI start ~10 ms
    number: int
    name: str
    sql: str


@cache
def _latest_number() -> int:
    """The highest migration number, from the file names alone (every command opening the store asks this;
    reading and parsing the files is only needed when the database is behind)."""
    try:
        names = os.listdir(_FOLDER)
    except OSError:  # not a plain folder (a zipped install): read them the general way
        migrations = _load_migrations()
        return migrations[-1].number if migrations else 0
    return max((int(m.group(1)) for m in map(_NAME.match, names) if m), default=0)


@cache  # the files never change while a process runs; the console opens stores repeatedly
def _load_migrations() -> tuple[Migration, ...]:
    from importlib import resources  # ~13 ms of imports, only when a migration may have to run

    folder = resources.files("fleetdeck.services.store") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return tuple(found)


def available_migrations() -> list[Migration]:
    return list(_load_migrations())


def latest_version() -> int:
    return _latest_number()


def split_statements(sql: str) -> list[str]:
    """Split a script into statements (trigger bodies stay whole)."""
    statements: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(l.strip().startswith("--") for l in current.strip().splitlines()):
        raise ValueError(f"incomplete SQL statement at end of migration: {current.strip()[:80]!r}")
    return statements


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: str = "the database", upto: int | None = None) -> int:
    """Bring the database to the latest (or ``upto``) version; return the version reached.

    The connection must be in autocommit mode (isolation_level=None).
    """
    latest = _latest_number()
    version = current_version(conn)
    if version == latest or (upto is not None and upto <= version <= latest):
        return version  # current: the common case, answered without reading a migration file
    migrations = available_migrations()
    latest = migrations[-1].number if migrations else 0
    if version > latest:
        raise SchemaTooNewError(
            f"{path}: schema version {version} is newer than this fleetdeck understands ({latest}); "
            "upgrade fleetdeck - the database was left untouched"
        )
    for migration in migrations:
        if migration.number <= version or (upto is not None and migration.number > upto):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if current_version(conn) >= migration.number:
                conn.execute("ROLLBACK")
                continue
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {migration.number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = migration.number
    return current_version(conn)
