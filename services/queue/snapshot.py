"""The queue at a glance: counts, sessions free and busy, ETA to drain and the next prompts with their own ETA.

This is what `fleetdeck status` prints, so it must be cheap: it takes a plain sqlite3 connection, runs a
handful of indexed queries (never a scan of finished prompts) and imports nothing beyond the standard library
and eta.py.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .eta import History, SimPrompt, SimSession, distribution, simulate

ALIVE = ("idle", "working", "permission", "usage_limited")
# How the snapshot's agent counts read: (key, label, short label); the waiting ones only when there are any.
_COUNTS = (("idle_sessions", "idle", "idle"), ("working_sessions", "working", "working"),
           ("permission_sessions", "waiting for permission", "waiting"),
           ("usage_limited_sessions", "usage-limited", "limited"))
NEXT = 5
# Prompts simulated one by one; the rest of a longer queue is spread over the sessions that fit it.
EXACT = 200


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    return f"{hours // 24}d {hours % 24}h"


def load_history(conn: sqlite3.Connection, workflows: set[str], limit: int = 200) -> History:
    """The last ``limit`` completed durations overall and per workflow (index-backed, newest first)."""
    samples: list[tuple[str | None, float]] = []
    rows = conn.execute(
        "SELECT workflow, finished_at - started_at FROM prompts WHERE status = 'completed'"
        " AND finished_at IS NOT NULL AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
        (limit,)).fetchall()
    overall = [float(r[1]) for r in rows]
    for workflow in sorted(workflows):
        for (seconds,) in conn.execute(
                "SELECT finished_at - started_at FROM prompts WHERE status = 'completed' AND workflow = ?"
                " AND finished_at IS NOT NULL AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
                (workflow, limit)):
            samples.append((workflow, float(seconds)))
    history = History.from_samples(samples)

    overall_d = distribution(overall)
    merged = {k: v for k, v in history.by_workflow.items() if k is not None}
    if overall_d:
        merged[None] = overall_d
    return History(merged)


def take_snapshot(conn: sqlite3.Connection, now: float, *, history_limit: int = 200,
                  next_count: int = NEXT, exact: int = EXACT) -> dict[str, Any]:
    counts = dict(conn.execute(
        "SELECT status, count(*) FROM prompts WHERE status IN ('pending', 'assigning', 'running') GROUP BY status"
    ).fetchall())
    pending = int(counts.get("pending", 0))
    assigning = int(counts.get("assigning", 0))
    running_count = int(counts.get("running", 0))

    active = conn.execute(
        "SELECT id, session_id, workflow, started_at, assigned_at FROM prompts"
        " WHERE status IN ('assigning', 'running')").fetchall()
    busy_with: dict[int, tuple[str | None, float]] = {}
    for _pid, sid, workflow, started, assigned in active:
        if sid is not None:
            busy_with[int(sid)] = (workflow, float(started or assigned or now))

    session_rows = conn.execute(
        "SELECT id, state, project_dir, agent_kind, reset_at FROM sessions"
        " WHERE gone_at IS NULL AND agent_kind != 'shell'").fetchall()
    alive = [r for r in session_rows if r[1] in ALIVE]
    # Each alive agent counts once: waiting on a person or on a usage limit is said as such, not as working.
    permission = sum(1 for r in alive if r[1] == "permission")
    limited = sum(1 for r in alive if r[1] == "usage_limited")
    idle = sum(1 for r in alive if r[1] == "idle" and int(r[0]) not in busy_with)
    working = len(alive) - permission - limited - idle

    head = conn.execute(
        "SELECT id, workflow, project_dir, agent_kind, pinned_session_id, priority, created_at,"
        " substr(text, 1, 120) FROM prompts WHERE status = 'pending'"
        " ORDER BY priority DESC, created_at, id LIMIT ?", (exact,)).fetchall()
    tail: list[tuple[SimPrompt, int]] = []
    workflows = {r[1] for r in head if r[1] is not None} | {w for w, _ in busy_with.values() if w is not None}
    if pending > len(head):
        seen: dict[tuple[Any, ...], int] = {}
        for r in head:
            key = (r[1], r[2], r[3], r[4])
            seen[key] = seen.get(key, 0) + 1
        for workflow, project, kind, sid, count in conn.execute(
                "SELECT workflow, project_dir, agent_kind, pinned_session_id, count(*) FROM prompts"
                " WHERE status = 'pending' GROUP BY 1, 2, 3, 4"):
            rest = int(count) - seen.get((workflow, project, kind, sid), 0)
            if rest > 0:
                tail.append((SimPrompt(-1, workflow, project, kind, sid), rest))
                if workflow is not None:
                    workflows.add(workflow)

    history = load_history(conn, workflows, history_limit)
    sessions: list[SimSession] = []
    for sid, state, project, kind, reset_at in session_rows:
        sid = int(sid)
        if state not in ALIVE:
            continue
        free_in = 0.0
        if sid in busy_with:
            workflow, started = busy_with[sid]
            d = history.for_workflow(workflow)
            free_in = max(d.median - (now - started), 0.0) if d else 0.0
        elif state == "usage_limited":
            if not reset_at:
                continue
            free_in = max(float(reset_at) - now, 0.0)
        sessions.append(SimSession(sid, project, kind, free_in))

    prompts = [SimPrompt(int(r[0]), r[1], r[2], r[3], r[4]) for r in head]
    forecast = simulate(prompts, sessions, history, tail)
    nxt = []
    for r in head[:next_count]:  # noqa: B007
        eta_s = forecast.finish_in.get(int(r[0]))
        nxt.append({
            "id": int(r[0]), "priority": int(r[5]), "workflow": r[1], "project": r[2], "agent": r[3],
            "age_s": max(int(now - r[6]), 0), "preview": (r[7] or "").splitlines()[0][:80] if r[7] else "",
            "eta_s": None if eta_s is None else round(eta_s), "eta": human_duration(eta_s),
        })
    overall = history.by_workflow.get(None)
    return {
        "at": int(now),
        "pending": pending,
        "assigning": assigning,
        "running": running_count,
        "queue_depth": pending + assigning + running_count,
        "idle_sessions": idle,
        "working_sessions": working,
        "permission_sessions": permission,
        "usage_limited_sessions": limited,
        "sessions": len(alive),
        "eta_drain_s": 0 if not pending else None if forecast.drain_in is None else round(forecast.drain_in),
        "eta_drain_p90_s": 0 if not pending else None if forecast.drain_in_p90 is None else round(forecast.drain_in_p90),
        "eta_drain": human_duration(forecast.drain_in) if pending else "0s",
        "without_eta": forecast.unknown,
        "history": None if overall is None else {
            "samples": overall.samples, "median_s": round(overall.median, 1), "p90_s": round(overall.p90, 1)},
        "next": nxt,
    }


def session_counts(snap: dict[str, Any], *, short: bool = False) -> list[str]:
    """The snapshot's agents by what they are doing: "2 idle", "1 working", "3 waiting for permission"."""
    return [f"{snap.get(key, 0)} {brief if short else label}" for key, label, brief in _COUNTS
            if snap.get(key) or key in ("idle_sessions", "working_sessions")]
