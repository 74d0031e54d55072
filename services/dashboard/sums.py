"""The sums behind the dashboard, read the fast way: the hourly rollup for everything per day, model and
workflow, and one pass over a covering index for sessions and projects (which the rollup does not keep).

A local day is summed from the rollup hours that lie wholly inside it plus, where a day does not start or end on a
whole UTC hour (Asia/Kolkata, America/St_Johns, ...), the raw rows of its partial hours at either end. So every
day is exact in every timezone, and a whole-hour timezone reads no raw rows at all for the daily series.

The queries run on their own read-only connections, in parallel where there are cores (sqlite3 releases the GIL
while it steps). Each connection reads its own snapshot: a write landing mid-generation may show up in one part
(say the daily series) and not another (the project table).
"""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..spend.reports import COVER_SHARE
from ..store.db import connect

if TYPE_CHECKING:
    from ..store import Store

HOUR = 3600
NONE = "(none)"
MAX_WORKERS = 8
SAMPLES = 64  # rows whose session names cut the session pass into parts of about equal size
# Below COVER_SHARE of the table's time span (shared with `report --by session|project`), the range is read
# through the index on `at` (a table lookup per row, then a sort); above it, one pass over the whole covering
# index, already in (session, project) order, is cheaper. On the benchmark's million calls the pass still wins at
# 7 of 90 days (0.26 s against 0.43 s CPU).
CACHE_KIB = 65536  # room for the sorts the range path does, so they stay in memory
# Reading pages through a memory map rather than a read() each: the session pass and the partial hours of
# half-hour timezones touch many pages once each (about 15 % and 25 % less CPU on a million calls).
MMAP_BYTES = 1 << 30

_ROLLUP_SQL = """SELECT model, workflow, sum(cost_micros), sum(baseline_cost_micros), sum(calls),
    sum(unknown_calls), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens)
    FROM api_calls_hourly WHERE hour >= ? AND hour < ? GROUP BY model, workflow HAVING sum(calls) != 0"""

# The same sums from raw rows, with the rollup's conventions: no workflow is '', priced calls only for money.
_EDGE_SQL = """SELECT model, coalesce(workflow, ''), sum(coalesce(cost_micros, 0)),
    sum(CASE WHEN cost_micros IS NOT NULL THEN coalesce(baseline_cost_micros, 0) ELSE 0 END), count(*),
    sum(cost_micros IS NULL), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens)
    FROM api_calls WHERE at >= ? AND at < ? GROUP BY 1, 2"""

# One pass over the rows grouped by (session, project), then the few thousand groups summed per session and per
# project inside SQLite, which is cheaper than handing Python a row per pair (75,000 on the benchmark).
_SESSIONS_PROJECTS_SQL = """WITH pairs AS MATERIALIZED (
        SELECT session, project_dir, sum(coalesce(cost_micros, 0)) AS cost, count(*) AS calls,
               sum(cost_micros IS NULL) AS unknown,
               sum(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) AS tokens
        FROM api_calls INDEXED BY {index} {where} GROUP BY session, project_dir)
    SELECT 0, session, sum(cost), sum(calls), sum(unknown), sum(tokens) FROM pairs GROUP BY session
    UNION ALL
    SELECT 1, project_dir, sum(cost), sum(calls), sum(unknown), sum(tokens) FROM pairs GROUP BY project_dir"""


@dataclass
class Sums:
    """Integer sums over [start, end); money in micro-dollars, priced calls only (unknown prices never count $0).

    Per (day index, model): [cost, baseline, calls, unknown-price calls, input, output, cache read, cache write
    tokens]. Per workflow, project and session: [cost, calls, unknown-price calls, tokens].
    """

    day_model: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    workflow: dict[str, list[int]] = field(default_factory=dict)  # no workflow (NULL or '') is NONE
    project: dict[str, list[int]] = field(default_factory=dict)  # NULL is NONE
    session: dict[str, list[int]] = field(default_factory=dict)  # NULL is NONE

    def merge(self, other: Sums) -> None:
        for mine, theirs in ((self.day_model, other.day_model), (self.workflow, other.workflow),
                             (self.project, other.project), (self.session, other.session)):
            for key, values in theirs.items():
                _add(mine, key, values)


def _add(acc: dict[Any, list[int]], key: Any, values: list[int] | tuple[int, ...]) -> None:
    total = acc.get(key)
    if total is None:
        acc[key] = list(values)
    else:
        for i, v in enumerate(values):
            total[i] += v


def _add_day_rows(sums: Sums, day: int, rows: list[tuple]) -> None:
    for model, workflow, cost, base, calls, unknown, tin, tout, tcr, tcw in rows:
        _add(sums.day_model, (day, model), (cost, base, calls, unknown, tin, tout, tcr, tcw))
        _add(sums.workflow, workflow or NONE, (cost, calls, unknown, tin + tout + tcr + tcw))


def _days(conn: sqlite3.Connection, days: list[tuple[int, int, int]]) -> Sums:
    """Per-day sums for (index, start, end) local days: rollup hours inside the day, raw rows for partial hours."""
    sums = Sums()
    for index, start, end in days:
        first = -(-start // HOUR) * HOUR  # the first whole hour inside the day
        last = end // HOUR * HOUR  # the end of the last whole hour inside the day
        if first >= last:
            _add_day_rows(sums, index, conn.execute(_EDGE_SQL, (start, end)).fetchall())
            continue
        _add_day_rows(sums, index, conn.execute(_ROLLUP_SQL, (first, last)).fetchall())
        for lo, hi in ((start, first), (last, end)):
            if lo < hi:
                _add_day_rows(sums, index, conn.execute(_EDGE_SQL, (lo, hi)).fetchall())
    return sums


def _sessions_and_projects(conn: sqlite3.Connection, index: str, where: list[tuple[str, tuple[Any, ...]]]
                           ) -> Sums:
    """Sessions and projects of the rows each (condition, parameters) selects; the conditions must not overlap."""
    sums = Sums()
    for condition, params in where:
        sql = _SESSIONS_PROJECTS_SQL.format(index=index, where=f"WHERE {condition}")
        for kind, name, cost, calls, unknown, tokens in conn.execute(sql, params):
            _add(sums.project if kind else sums.session, NONE if name is None else name,
                 (cost, calls, unknown, tokens))
    return sums


def _session_passes(store: "Store", start: int, end: int, parts: int) -> list[tuple[str, list[tuple[str, tuple]]]]:
    """How to read sessions and projects: (index, conditions) per job.

    A large share of the table's time span is one pass over the covering index, cut into ``parts`` ranges of
    session names (from evenly spaced rows) that run on separate cores; a small share is one read through the
    index on time.
    """
    lo, hi = (store.scalar(f"SELECT {fn}(at) FROM api_calls") for fn in ("min", "max"))
    if lo is None:
        return []
    in_range: tuple[str, tuple[Any, ...]] = ("at >= ? AND at < ?", (start, end))
    if min(end, hi + 1) - max(start, lo) < COVER_SHARE * (hi + 1 - lo):
        return [("api_calls_at", [in_range])]
    if start <= lo and hi < end:
        in_range = ("1", ())  # every row is in range: skip a million comparisons
    first, last = (store.scalar(f"SELECT {fn}(id) FROM api_calls") for fn in ("min", "max"))
    sample = sorted({row[0] for k in range(1, SAMPLES) for row in store.query(
        "SELECT session FROM api_calls WHERE id >= ? ORDER BY id LIMIT 1", (first + (last - first) * k // SAMPLES,))
        if row[0] is not None})
    cuts = sorted({sample[len(sample) * k // parts] for k in range(1, parts)}) if sample else []
    jobs: list[list[tuple[str, tuple[Any, ...]]]] = [[(f"session IS NULL AND {in_range[0]}", in_range[1])]]
    for k, (low, high) in enumerate(zip([None, *cuts], [*cuts, None])):
        conditions = ["session >= ?" if low is not None else "session IS NOT NULL"]
        conditions += ["session < ?"] if high is not None else []
        params = tuple(name for name in (low, high) if name is not None) + in_range[1]
        if k:
            jobs.append([])
        jobs[-1].append((" AND ".join([*conditions, in_range[0]]), params))
    return [("api_calls_session_project", job) for job in jobs]


def _on_connection(path: Path, work: Callable[[sqlite3.Connection], Sums]) -> Sums:
    conn = connect(path, readonly=True)
    try:
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.row_factory = None  # plain tuples: cheaper than sqlite3.Row for thousands of rows
        return work(conn)
    finally:
        conn.close()


def collect(store: "Store", day_starts: list[int], end: int, *, workers: int | None = None) -> Sums:
    """Sums for the local days starting at ``day_starts`` (the last ending at ``end``)."""
    bounds = [*day_starts, end]
    days = [(i, bounds[i], bounds[i + 1]) for i in range(len(day_starts))]
    if workers is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        workers = max(1, min(cores, MAX_WORKERS))
    # The session pass and the days take about as long as each other on the benchmark's data: each is cut in as
    # many jobs as there are workers, so that none waits on one long job at the end.
    jobs: list[Callable[[sqlite3.Connection], Sums]] = [
        lambda conn, index=index, where=where: _sessions_and_projects(conn, index, where)
        for index, where in _session_passes(store, bounds[0], end, workers)]
    jobs += [lambda conn, part=days[k::workers]: _days(conn, part) for k in range(workers) if days[k::workers]]
    if workers == 1:
        parts = [_on_connection(store.path, job) for job in jobs]
    else:
        with ThreadPoolExecutor(min(workers, len(jobs))) as pool:
            parts = list(pool.map(lambda job: _on_connection(store.path, job), jobs))
    sums = Sums()
    for part in parts:
        sums.merge(part)
    return sums
