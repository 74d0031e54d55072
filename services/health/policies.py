"""What the health pass does after a poll: notify, restart with handoff, restart crashes, resume after limits.

``plan`` decides (pure: rows in, steps out); ``execute`` acts and records. Every step is recorded in
session_actions before or as it is done, so a pass killed half-way and run again neither repeats a restart
nor loses a scheduled resume.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Store
    from .poller import PollResult


@dataclass
class Step:
    kind: str  # handoff_restart, ask_restart, crash_restart, crash_failed, schedule_resume, resume
    session_id: int
    name: str
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyConfig:
    threshold: int = 5
    max_crash_per_hour: int = 3
    backoff_s: int = 10
    resume_prompt: str = "Read the handoff note at {note} and continue."
    usage_resume_prompt: str = "continue"

    @classmethod
    def from_config(cls, config: Any) -> "PolicyConfig":
        s = config.section("sessions")
        return cls(int(s.get("context_threshold", 5)), int(s.get("max_crash_restarts_per_hour", 3)),
                   int(s.get("crash_backoff_s", 10)), str(s.get("resume_prompt", cls.resume_prompt)),
                   str(s.get("usage_resume_prompt", "continue")))


def plan(rows: list[dict[str, Any]], pending: list[dict[str, Any]], crash_counts: dict[int, int], now: int,
         cfg: PolicyConfig) -> list[Step]:
    """Decide this pass's steps from the live session rows and the pending session_actions."""
    steps: list[Step] = []
    pending_by = {(a["session_id"], a["kind"]) for a in pending}
    live = {r["id"]: r for r in rows}
    for a in pending:
        row = live.get(a["session_id"])
        if a["due_at"] <= now and row is not None and row["state"] in ("idle", "usage_limited"):
            if a["kind"] == "resume" and row["state"] == "usage_limited" and (row.get("reset_at") or 0) > now:
                continue
            steps.append(Step("resume", row["id"], row["name"], data={"action_id": a["id"], **json.loads(
                a["payload"] or "{}")}))
    for r in rows:
        policy, sid = r["restart_policy"], r["id"]
        if (sid, "resume") in pending_by:
            continue
        ctx = r.get("context_left")
        if r["state"] == "idle" and ctx is not None and ctx <= cfg.threshold and policy != "off":
            kind = "handoff_restart" if policy == "auto" else "ask_restart"
            steps.append(Step(kind, sid, r["name"], f"{ctx}% context left"))
        elif r["state"] == "dead" and policy == "auto" and r.get("pane_id"):
            n = crash_counts.get(sid, 0)
            if n >= cfg.max_crash_per_hour:
                if not str(r.get("detail") or "").startswith("failed"):
                    steps.append(Step("crash_failed", sid, r["name"], f"{n} crash restarts in the last hour"))
            elif now >= (r.get("state_since") or now) + cfg.backoff_s * (2 ** n):
                steps.append(Step("crash_restart", sid, r["name"], f"restart {n + 1} this hour"))
        elif r["state"] == "usage_limited" and r.get("reset_at") and policy != "off":
            steps.append(Step("schedule_resume", sid, r["name"], f"resume at reset {r['reset_at']}",
                              {"due_at": int(r["reset_at"]) + 30, "prompt": cfg.usage_resume_prompt}))
    return steps


def notify_transitions(store: "Store", result: "PollResult", now: int) -> int:
    """Tell people when a session starts waiting for permission, crashes or hits a usage limit."""
    from ..notify.outbox import enqueue

    by_key = {s.key: s for s in result.sessions}
    sent = 0
    for t in result.transitions:
        snap = by_key.get(t["key"])
        name = snap.name if snap else t["key"]
        if t["to"] == "permission":
            body, title, sev = (snap.prompt or "") if snap else "", f"{name} is waiting for permission", "warning"
        elif t["to"] == "dead" and t.get("detail") != "pane closed" and t["from"] is not None:
            body, title, sev = t.get("detail") or "", f"{name} crashed", "critical"
        elif t["to"] == "usage_limited":
            reset = snap.reset_at if snap else None
            when = time.strftime("%H:%M UTC", time.gmtime(reset)) if reset else "an unknown time"
            body, title, sev = t.get("detail") or "", f"{name} hit a usage limit (resets {when})", "warning"
        else:
            continue
        if enqueue(store, source="health", title=title, body=body, severity=sev,
                   dedupe_key=f"session:{t['session_id']}:{t['to']}:{now // 60}", now=now):
            sent += 1
    return sent


def load_inputs(store: "Store", now: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, int]]:
    rows = [dict(r) for r in store.query("SELECT * FROM sessions WHERE gone_at IS NULL")]
    pending = [dict(r) for r in store.query("SELECT * FROM session_actions WHERE status = 'pending'")]
    counts = {r["session_id"]: r["n"] for r in store.query(
        "SELECT session_id, count(*) AS n FROM session_actions WHERE kind = 'crash_restart' AND status = 'done'"
        " AND created_at >= ? GROUP BY session_id", (now - 3600,))}
    return rows, pending, counts


def execute(store: "Store", steps: list[Step], *, now: int, cfg: PolicyConfig, handoff_dir: Path,
            screens: dict[int, str]) -> list[str]:
    """Carry out the planned steps; return one line per step for the job summary."""
    from ..notify.outbox import enqueue
    from ..tmux import actions

    done: list[str] = []
    for step in steps:
        row = store.query_one("SELECT * FROM sessions WHERE id = ?", (step.session_id,))
        if row is None:
            continue
        row = dict(row)
        sock, pane = row["socket"], row["pane_id"]
        try:
            if step.kind == "resume":
                prompt = step.data.get("prompt") or cfg.usage_resume_prompt
                with store.write() as conn:  # claim it first: a rerun must not paste twice
                    claimed = conn.execute("UPDATE session_actions SET status='done', done_at=? WHERE id=?"
                                           " AND status='pending'", (now, step.data["action_id"])).rowcount
                if claimed:
                    actions.send_prompt(sock, pane, prompt)
                    done.append(f"{step.name}: resume prompt sent")
            elif step.kind == "schedule_resume":
                with store.write() as conn:
                    conn.execute("INSERT INTO session_actions (session_id, kind, due_at, payload, created_at)"
                                 " VALUES (?, 'resume', ?, ?, ?)", (step.session_id, step.data["due_at"],
                                                                   json.dumps({"prompt": step.data["prompt"]}), now))
                done.append(f"{step.name}: {step.detail}")
            elif step.kind == "ask_restart":
                enqueue(store, source="health", severity="warning", title=f"{step.name} is at {step.detail}",
                        body="Restart it with a handoff note from the sessions pane (r).",
                        dedupe_key=f"session:{step.session_id}:ask_restart:{row['started_at']}", now=now)
            elif step.kind == "handoff_restart":
                task = None
                if row.get("current_prompt_id"):
                    task = store.scalar("SELECT text FROM prompts WHERE id = ?", (row["current_prompt_id"],))
                note = restart_with_handoff(store, row, screen=screens.get(step.session_id, ""), task=task,
                                            now=now, cfg=cfg, handoff_dir=handoff_dir)
                done.append(f"{step.name}: restarted at {step.detail}, note {note}")
            elif step.kind == "crash_restart":
                with store.write() as conn:
                    conn.execute("INSERT INTO session_actions (session_id, kind, due_at, status, created_at,"
                                 " done_at) VALUES (?, 'crash_restart', ?, 'done', ?, ?)",
                                 (step.session_id, now, now, now))
                    conn.execute("UPDATE sessions SET restarts = restarts + 1 WHERE id = ?", (step.session_id,))
                actions.restart_pane(sock, pane)
                enqueue(store, source="health", severity="warning", title=f"{step.name} restarted after a crash",
                        body=step.detail, dedupe_key=f"session:{step.session_id}:crash_restart:{now}", now=now)
                done.append(f"{step.name}: crash restart ({step.detail})")
            elif step.kind == "crash_failed":
                store.execute("UPDATE sessions SET detail = ? WHERE id = ?",
                              (f"failed: {step.detail}", step.session_id))
                enqueue(store, source="health", severity="critical", title=f"{step.name} keeps crashing",
                        body=f"{step.detail}; not restarting it again",
                        dedupe_key=f"session:{step.session_id}:crash_failed", now=now)
                done.append(f"{step.name}: gave up ({step.detail})")
        except Exception as exc:  # noqa: BLE001 - one session's failure must not stop the others
            done.append(f"{step.name}: {step.kind} failed: {exc}")
    return done


def restart_with_handoff(store: "Store", row: dict[str, Any], *, screen: str, task: str | None, now: int,
                         cfg: PolicyConfig, handoff_dir: Path) -> Path:
    """Save a handoff note, restart the agent (``/clear`` for Claude Code, a new process otherwise) and
    schedule the resume prompt that points at the note (sent once the agent is idle again)."""
    from ..notify.outbox import enqueue
    from ..tmux import actions
    from .handoff import write_note

    note = write_note(handoff_dir, row, screen=screen, task=task, now=now)
    prompt = cfg.resume_prompt.format(note=note)
    with store.write() as conn:
        conn.execute("INSERT INTO session_actions (session_id, kind, due_at, payload, created_at)"
                     " VALUES (?, 'resume', ?, ?, ?)", (row["id"], now, json.dumps({"prompt": prompt,
                                                                                    "note": str(note)}), now))
        conn.execute("UPDATE sessions SET restarts = restarts + 1, handoff_path = ?, context_left = NULL"
                     " WHERE id = ?", (str(note), row["id"]))
        conn.execute("INSERT INTO activity_log (at, level, source, session_id, message) VALUES (?,?,?,?,?)",
                     (now, "info", "health", row["id"], f"{row['name']} restarted with handoff note {note}"))
    if row["agent_kind"] == "claude":
        actions.send_prompt(row["socket"], row["pane_id"], "/clear")
    else:
        actions.restart_pane(row["socket"], row["pane_id"])
    enqueue(store, source="health", severity="info", title=f"{row['name']} restarted with a handoff note",
            body=f"context was at {row.get('context_left')}%; note: {note}",
            dedupe_key=f"session:{row['id']}:handoff:{now}", now=now)
    return note
