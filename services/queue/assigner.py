"""The assigner: hands pending prompts to idle sessions that fit them, and notices when they are done.

One pass (``assign_once``) does, in order:

1. reconcile: a prompt left 'assigning' by an assigner that died (kill -9) between "this session gets it" and
   "it was pasted" is checked against its pane. If the pane shows the prompt, or the session got busy after it
   was assigned, it was sent: it becomes 'running'. Otherwise it was not: it goes back to 'pending'. So no
   prompt is lost and none is sent twice.
2. finish: a running prompt is 'completed' when its session is idle again after the prompt started; it fails
   when the session dies or the prompt runs past the timeout (back to 'pending' while attempts remain).
3. assign: highest priority first, then oldest, each to a free idle session that fits (same project dir when
   the prompt has one, the agent kind it asks for, the session it is pinned to). A session is free when no
   prompt is assigning or running on it, so a session never gets two prompts; a prompt is claimed by a
   conditional UPDATE of a 'pending' row, so it never goes to two sessions.

Every state change is its own short committed transaction: pending → assigning (commit) → paste → running
(commit).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from typing import Any, Callable

from ..store import Store
from . import pane_io

PasteFn = Callable[..., None]
CaptureFn = Callable[[str, str], str]

DEPTH_KEEP_S = 7 * 86400  # queue-depth samples older than this are dropped (the sparkline shows the last hour)
CRASH_ENV = "FLEETDECK_QUEUE_CRASH_AT"  # fault injection for the crash-safety test: "assigned" or "pasted"


@dataclass
class Policy:
    timeout_s: float = 7200.0
    reconcile_grace_s: float = 10.0
    enter_delay: float = 0.15

    @classmethod
    def from_config(cls, config: Any) -> "Policy":
        return cls(timeout_s=float(config.get("queue", "timeout_minutes", 120.0)) * 60,
                   reconcile_grace_s=float(config.get("queue", "reconcile_grace_s", 10.0)),
                   enter_delay=float(config.get("queue", "enter_delay", 0.15)))


@dataclass
class PassReport:
    assigned: list[tuple[int, int]] = field(default_factory=list)  # (prompt, session)
    completed: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    reconciled_sent: list[int] = field(default_factory=list)
    reconciled_unsent: list[int] = field(default_factory=list)
    paste_errors: list[str] = field(default_factory=list)

    def message(self, dry_run: bool = False) -> str:
        verb = "would assign" if dry_run else "assigned"
        parts = [f"{verb} {len(self.assigned)}", f"completed {len(self.completed)}"]
        if self.retried or self.failed:
            parts.append(f"retried {len(self.retried)}, failed {len(self.failed)}")
        if self.reconciled_sent or self.reconciled_unsent:
            parts.append(f"reconciled {len(self.reconciled_sent)} sent, {len(self.reconciled_unsent)} unsent")
        return "assign: " + ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def _crash_point(stage: str) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _busy_since(store: Store, session_id: int, mark: int | None, since: float) -> bool:
    """Whether the session has been seen working (or asking permission) since it was given the prompt.

    ``mark`` is the last session_states id recorded when the prompt was claimed; only later transitions count.
    The session was idle when claimed, so a transition to working/permission after the mark is the agent
    taking the prompt. (Rows claimed before marks existed fall back to comparing seconds.)
    """
    if mark is not None:
        row = store.query_one(
            "SELECT 1 FROM session_states WHERE session_id = ? AND id > ? AND to_state IN ('working', 'permission')"
            " LIMIT 1", (session_id, int(mark)))
        return row is not None
    row = store.query_one(
        "SELECT 1 FROM session_states WHERE session_id = ? AND at > ? AND to_state IN ('working', 'permission')"
        " LIMIT 1", (session_id, int(since)))
    return row is not None


def reconcile(store: Store, now: float, policy: Policy, report: PassReport,
              capture: CaptureFn = pane_io.capture) -> None:
    rows = store.query(
        "SELECT p.id, p.text, p.session_id, p.assigned_at, p.assign_mark, s.socket, s.pane_id, s.gone_at FROM prompts p"
        " LEFT JOIN sessions s ON s.id = p.session_id WHERE p.status = 'assigning' AND p.assigned_at <= ?",
        (int(now - policy.reconcile_grace_s),))
    for pid, text, sid, assigned_at, mark, socket, pane_id, gone_at in rows:
        sent = False
        if sid is not None and pane_id and gone_at is None:
            if _busy_since(store, sid, mark, assigned_at or 0):
                sent = True
            else:
                try:
                    sent = pane_io.shows_prompt(capture(socket, pane_id), text)
                except (pane_io.PaneGone, OSError):
                    sent = False
        with store.write() as conn:
            if sent:
                conn.execute("UPDATE prompts SET status = 'running', started_at = assigned_at, updated_at = ?"
                             " WHERE id = ? AND status = 'assigning'", (int(now), pid))
            else:
                conn.execute("UPDATE prompts SET status = 'pending', session_id = NULL, assigned_at = NULL,"
                             " attempts = max(attempts - 1, 0), updated_at = ? WHERE id = ? AND status = 'assigning'",
                             (int(now), pid))
                conn.execute("UPDATE sessions SET current_prompt_id = NULL WHERE current_prompt_id = ?", (pid,))
        (report.reconciled_sent if sent else report.reconciled_unsent).append(pid)
        store.log_activity("queue", f"prompt #{pid} found {'sent' if sent else 'not sent'} after an interrupted "
                           "assignment", level="warning", prompt_id=pid, session_id=sid, at=now)


def _fail(store: Store, now: float, row: Any, reason: str, report: PassReport) -> None:
    pid, attempts, max_attempts, sid = row["id"], row["attempts"], row["max_attempts"], row["session_id"]
    final = attempts >= max_attempts
    with store.write() as conn:
        if final:
            conn.execute("UPDATE prompts SET status = 'failed', error = ?, finished_at = ?, updated_at = ?"
                         " WHERE id = ? AND status = 'running'", (reason, int(now), int(now), pid))
        else:
            conn.execute("UPDATE prompts SET status = 'pending', error = ?, session_id = NULL, assigned_at = NULL,"
                         " started_at = NULL, updated_at = ? WHERE id = ? AND status = 'running'",
                         (reason, int(now), pid))
        conn.execute("UPDATE sessions SET current_prompt_id = NULL WHERE current_prompt_id = ?", (pid,))
    (report.failed if final else report.retried).append(pid)
    store.log_activity("queue", f"prompt #{pid} {'failed' if final else 'will be retried'}: {reason}"
                       f" (attempt {attempts} of {max_attempts})", level="error" if final else "warning",
                       prompt_id=pid, session_id=sid, at=now)


def finish(store: Store, now: float, policy: Policy, report: PassReport) -> None:
    rows = store.query(
        "SELECT p.id, p.session_id, p.started_at, p.attempts, p.max_attempts, s.state, s.state_since, s.gone_at,"
        " s.id AS sid FROM prompts p LEFT JOIN sessions s ON s.id = p.session_id WHERE p.status = 'running'")
    for row in rows:
        pid, started = row["id"], row["started_at"] or 0
        if row["sid"] is None or row["gone_at"] is not None or row["state"] == "dead":
            _fail(store, now, row, "the session ended", report)
        elif row["state"] == "idle" and (row["state_since"] or 0) > started:
            done_at = max(int(row["state_since"]), int(started))
            with store.write() as conn:
                conn.execute("UPDATE prompts SET status = 'completed', finished_at = ?, error = NULL,"
                             " updated_at = ? WHERE id = ? AND status = 'running'", (done_at, int(now), pid))
                conn.execute("UPDATE sessions SET current_prompt_id = NULL WHERE current_prompt_id = ?", (pid,))
            report.completed.append(pid)
            store.log_activity("queue", f"prompt #{pid} completed in {done_at - int(started)}s", prompt_id=pid,
                               session_id=row["session_id"], at=now)
        elif now - started > policy.timeout_s:
            _fail(store, now, row, f"timed out after {int((now - started) / 60)} min", report)


def fits(prompt: Any, session: Any) -> bool:
    if prompt["pinned_session_id"] is not None:
        return prompt["pinned_session_id"] == session["id"]
    if prompt["project_dir"] is not None and session["project_dir"] != prompt["project_dir"]:
        return False
    return prompt["agent_kind"] is None or prompt["agent_kind"] == session["agent_kind"]


def free_sessions(store: Store) -> list[Any]:
    return store.query(
        "SELECT s.id, s.name, s.socket, s.pane_id, s.project_dir, s.agent_kind FROM sessions s"
        " WHERE s.state = 'idle' AND s.gone_at IS NULL AND s.agent_kind != 'shell' AND s.pane_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.session_id = s.id"
        "                 AND p.status IN ('assigning', 'running'))"
        " ORDER BY s.id")


def plan(store: Store, only: int | None = None, limit: int = 1000) -> list[tuple[Any, Any]]:
    """(prompt, session) pairs this pass would make, in queue order."""
    sessions = list(free_sessions(store))
    if not sessions:
        return []
    sql = ("SELECT id, text, project_dir, agent_kind, pinned_session_id FROM prompts WHERE status = 'pending'"
           + (" AND id = ?" if only is not None else "") + " ORDER BY priority DESC, created_at, id LIMIT ?")
    prompts = store.query(sql, ((only, limit) if only is not None else (limit,)))
    pairs = []
    for prompt in prompts:
        for session in sessions:
            if fits(prompt, session):
                pairs.append((prompt, session))
                sessions.remove(session)
                break
        if not sessions:
            break
    return pairs


def _claim(store: Store, prompt_id: int, session_id: int, now: float) -> bool:
    with store.write() as conn:
        busy = conn.execute(
            "SELECT 1 FROM prompts WHERE session_id = ? AND status IN ('assigning', 'running') LIMIT 1",
            (session_id,)).fetchone()
        idle = conn.execute("SELECT 1 FROM sessions WHERE id = ? AND state = 'idle' AND gone_at IS NULL",
                            (session_id,)).fetchone()
        if busy or not idle:
            return False
        mark = conn.execute("SELECT coalesce(max(id), 0) FROM session_states WHERE session_id = ?",
                            (session_id,)).fetchone()[0]
        cur = conn.execute(
            "UPDATE prompts SET status = 'assigning', session_id = ?, assigned_at = ?, assign_mark = ?,"
            " attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending'",
            (session_id, int(now), mark, int(now), prompt_id))
        if cur.rowcount != 1:
            return False
        conn.execute("UPDATE sessions SET current_prompt_id = ? WHERE id = ?", (prompt_id, session_id))
    return True


def assign(store: Store, now: float, policy: Policy, report: PassReport, *, paste: PasteFn = pane_io.paste,
           only: int | None = None, dry_run: bool = False) -> None:
    for prompt, session in plan(store, only):
        pid, sid = int(prompt["id"]), int(session["id"])
        if dry_run:
            report.assigned.append((pid, sid))
            continue
        if not _claim(store, pid, sid, now):
            continue
        _crash_point("assigned")
        try:
            paste(session["socket"], session["pane_id"], prompt["text"], enter_delay=policy.enter_delay)
        except (pane_io.PaneGone, OSError) as exc:
            with store.write() as conn:
                conn.execute("UPDATE prompts SET status = 'pending', session_id = NULL, assigned_at = NULL,"
                             " attempts = max(attempts - 1, 0), error = ?, updated_at = ?"
                             " WHERE id = ? AND status = 'assigning'", (f"paste failed: {exc}", int(now), pid))
                conn.execute("UPDATE sessions SET current_prompt_id = NULL WHERE current_prompt_id = ?", (pid,))
            report.paste_errors.append(f"prompt #{pid} to {session['name']}: {exc}")
            continue
        _crash_point("pasted")
        with store.write() as conn:
            conn.execute("UPDATE prompts SET status = 'running', started_at = ?, updated_at = ?"
                         " WHERE id = ? AND status = 'assigning'", (int(now), int(now), pid))
        report.assigned.append((pid, sid))
        store.log_activity("queue", f"prompt #{pid} sent to {session['name']}", prompt_id=pid, session_id=sid, at=now)


def record_depth(store: Store, now: float) -> None:
    """One queue-depth sample per minute for the console's sparkline."""
    counts = dict(store.query("SELECT status, count(*) FROM prompts WHERE status IN ('pending', 'assigning',"
                              " 'running') GROUP BY status"))
    with store.write() as conn:
        conn.execute("INSERT OR REPLACE INTO queue_depth (at, pending, running) VALUES (?, ?, ?)",
                     (int(now) // 60 * 60, int(counts.get("pending", 0)),
                      int(counts.get("running", 0)) + int(counts.get("assigning", 0))))
        conn.execute("DELETE FROM queue_depth WHERE at < ?", (int(now) - DEPTH_KEEP_S,))


def assign_once(store: Store, now: float, policy: Policy | None = None, *, paste: PasteFn = pane_io.paste,
                capture: CaptureFn = pane_io.capture, only: int | None = None,
                dry_run: bool = False) -> PassReport:
    policy = policy or Policy()
    report = PassReport()
    if not dry_run:
        reconcile(store, now, policy, report, capture=capture)
        finish(store, now, policy, report)
    assign(store, now, policy, report, paste=paste, only=only, dry_run=dry_run)
    if not dry_run:
        record_depth(store, now)
    return report
