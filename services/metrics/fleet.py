"""Fleet figures from the store: sessions by state, queue depth, spend today, open error groups, API latency
by model and uptime per session. Plain functions over a ``Store`` so the CLI, the console (through
AsyncStore.call) and the Prometheus exporter share them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, time as dtime
from typing import TYPE_CHECKING, Iterable
from zoneinfo import ZoneInfo

from .stats import percentile

if TYPE_CHECKING:
    from ..store import Store

DOWN_STATES = frozenset({"dead", "restarting"})
QUEUE_STATUSES = ("pending", "assigning", "running")


@dataclass(frozen=True)
class FleetGauges:
    sessions_by_state: dict[str, int]
    queue_by_status: dict[str, int]
    spend_today_micros: int
    error_groups_open: int | None  # None: the triage tables do not exist in this database


@dataclass(frozen=True)
class LatencyRow:
    model: str
    calls: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


@dataclass(frozen=True)
class SessionRow:
    id: int
    name: str
    pane_pid: int | None
    state: str
    restarts: int
    started_at: int | None
    created_at: int
    gone_at: int | None


def start_of_day(now: float, timezone: str = "UTC") -> int:
    tz = ZoneInfo(timezone)
    day = datetime.fromtimestamp(now, tz).date()
    return int(datetime.combine(day, dtime(0), tz).timestamp())


def live_sessions(store: "Store") -> list[SessionRow]:
    rows = store.query(
        "SELECT id, name, pane_pid, state, restarts, started_at, created_at, gone_at FROM sessions"
        " WHERE gone_at IS NULL ORDER BY name, id"
    )
    return [SessionRow(**dict(r)) for r in rows]


def sessions_between(store: "Store", start: float, end: float) -> list[SessionRow]:
    """Sessions that existed at some point in [start, end]."""
    rows = store.query(
        "SELECT id, name, pane_pid, state, restarts, started_at, created_at, gone_at FROM sessions"
        " WHERE created_at <= ? AND (gone_at IS NULL OR gone_at >= ?) ORDER BY name, id",
        (int(end), int(start)),
    )
    return [SessionRow(**dict(r)) for r in rows]


def _table_exists(store: "Store", name: str) -> bool:
    return store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) is not None


def error_groups_open(store: "Store") -> int | None:
    """Open error groups, when the triage area's table is there; None otherwise."""
    if not _table_exists(store, "error_groups"):
        return None
    try:
        return int(store.scalar("SELECT count(*) FROM error_groups WHERE status = 'open'") or 0)
    except sqlite3.OperationalError:
        return None  # a different shape than we expect: leave the gauge out rather than guess


def fleet_gauges(store: "Store", now: float, timezone: str = "UTC") -> FleetGauges:
    by_state = {r[0]: int(r[1]) for r in store.query(
        "SELECT state, count(*) FROM sessions WHERE gone_at IS NULL GROUP BY state")}
    queue = {status: 0 for status in QUEUE_STATUSES}
    for status, count in store.query("SELECT status, count(*) FROM prompts GROUP BY status"):
        if status in queue:
            queue[status] = int(count)
    spend = store.scalar("SELECT coalesce(sum(cost_micros), 0) FROM api_calls WHERE at >= ?",
                         (start_of_day(now, timezone),))
    return FleetGauges(by_state, queue, int(spend or 0), error_groups_open(store))


def latency_by_model(store: "Store", since: float) -> list[LatencyRow]:
    values: dict[str, list[float]] = {}
    for model, latency in store.query(
        "SELECT model, latency_ms FROM api_calls WHERE at >= ? AND latency_ms IS NOT NULL", (int(since),)
    ):
        values.setdefault(model, []).append(float(latency))
    return [
        LatencyRow(model, len(v), percentile(v, 50), percentile(v, 95), percentile(v, 99))
        for model, v in sorted(values.items())
    ]


def uptime_fraction(
    transitions: Iterable[tuple[int, str | None, str]], *, alive_from: float, alive_to: float,
    start: float, end: float, initial_state: str = "unknown",
) -> float | None:
    """Share of the session's time in [start, end] not spent dead or restarting.

    ``transitions`` are (at, from_state, to_state) in time order; the state before the first one is its
    from_state (or ``initial_state``). Returns None when the session did not exist in the window.
    """
    lo, hi = max(start, alive_from), min(end, alive_to)
    if hi <= lo:
        return None
    ordered = sorted(transitions, key=lambda t: t[0])
    state = (ordered[0][1] or initial_state) if ordered else initial_state
    down = 0.0
    cursor = lo
    for at, _from, to in ordered:
        if at <= lo:
            state = to
            continue
        if at >= hi:
            break
        if state in DOWN_STATES:
            down += at - cursor
        cursor, state = at, to
    if state in DOWN_STATES:
        down += hi - cursor
    return 1.0 - down / (hi - lo)


def uptime_by_session(store: "Store", start: float, end: float) -> dict[int, float | None]:
    result: dict[int, float | None] = {}
    for session in sessions_between(store, start, end):
        transitions = [(int(r[0]), r[1], r[2]) for r in store.query(
            "SELECT at, from_state, to_state FROM session_states WHERE session_id = ? AND at <= ? ORDER BY at, id",
            (session.id, int(end)))]
        alive_from = session.started_at or session.created_at
        alive_to = session.gone_at if session.gone_at is not None else end
        initial = session.state if not transitions else "unknown"
        result[session.id] = uptime_fraction(transitions, alive_from=alive_from, alive_to=alive_to,
                                             start=start, end=end, initial_state=initial)
    return result
