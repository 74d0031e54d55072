"""The queue's prompts: adding (with validation), listing, cancelling, retrying, re-prioritising and importing.

Prompt text is stored exactly as given (no stripping, any size, any characters); only a prompt that is empty
or all whitespace is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import DataError
from ..store import Store
from ..workflows import check_workflow

AGENT_KINDS = ("claude", "codex", "aider", "gemini")
ACTIVE = ("pending", "assigning", "running")
STATUSES = ("pending", "assigning", "running", "completed", "failed", "cancelled")


@dataclass(frozen=True)
class NewPrompt:
    text: str
    project_dir: str | None = None
    workflow: str | None = None
    priority: int = 0
    agent_kind: str | None = None
    session: str | None = None  # pin to one session (name or key)
    source: str | None = None


def normalize_project(project: str | os.PathLike[str] | None) -> str | None:
    """The absolute, symlink-free form of a project dir; DataError (65) when it is not a directory."""
    if project is None or str(project) == "":
        return None
    path = Path(project).expanduser()
    if not path.is_dir():
        raise DataError(f"project dir {str(project)!r} does not exist or is not a directory")
    return os.path.realpath(path)


def find_session(store: Store, name: str) -> int:
    """The id of the live session named ``name`` (name, key or numeric id), or DataError (65)."""
    row = store.query_one(
        "SELECT id FROM sessions WHERE gone_at IS NULL AND (name = ? OR key = ? OR CAST(id AS TEXT) = ?)"
        " ORDER BY id LIMIT 1", (name, name, name))
    if row is None:
        raise DataError(f"unknown session {name!r}")
    return int(row[0])


def validate(store: Store, new: NewPrompt) -> tuple[str | None, int | None]:
    """Check ``new``; return (normalized project dir, pinned session id). Raises DataError."""
    if not isinstance(new.text, str) or not new.text.strip():
        raise DataError("empty prompt: nothing to send")
    if new.agent_kind is not None and new.agent_kind not in AGENT_KINDS:
        raise DataError(f"unknown agent kind {new.agent_kind!r} (one of: {', '.join(AGENT_KINDS)})")
    check_workflow(new.workflow)  # the name `log` and `report --by workflow` use: one rule everywhere
    project = normalize_project(new.project_dir)
    session_id = find_session(store, new.session) if new.session else None
    return project, session_id


def add_prompt(store: Store, new: NewPrompt, *, now: float, max_attempts: int = 3) -> int:
    project, session_id = validate(store, new)
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO prompts (text, project_dir, workflow, priority, agent_kind, status, pinned_session_id,"
            " max_attempts, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
            (new.text, project, new.workflow, int(new.priority), new.agent_kind, session_id, max_attempts,
             new.source or "cli", int(now), int(now)))
        prompt_id = int(cur.lastrowid or 0)
    store.log_activity("queue", f"prompt #{prompt_id} queued", prompt_id=prompt_id, at=now,
                       data={"priority": int(new.priority), "workflow": new.workflow})
    return prompt_id


def get_prompt(store: Store, prompt_id: int) -> dict[str, Any]:
    row = store.query_one(
        "SELECT p.*, s.name AS session_name FROM prompts p LEFT JOIN sessions s ON s.id = p.session_id"
        " WHERE p.id = ?", (prompt_id,))
    if row is None:
        raise DataError(f"no prompt #{prompt_id}")
    return dict(row)


def list_prompts(store: Store, status: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Prompts in queue order (active first: highest priority, then oldest), then finished ones newest first."""
    if status is not None and status not in STATUSES and status != "active":
        raise DataError(f"unknown status {status!r} (one of: active, {', '.join(STATUSES)})")
    where, params = "", []
    if status == "active":
        where = f"WHERE p.status IN ({','.join('?' * len(ACTIVE))})"
        params = list(ACTIVE)
    elif status:
        where, params = "WHERE p.status = ?", [status]
    sql = (
        "SELECT p.id, p.status, p.priority, p.workflow, p.project_dir, p.agent_kind, p.session_id,"
        " s.name AS session_name, p.attempts, p.max_attempts, p.error, p.created_at, p.started_at,"
        " p.finished_at, length(p.text) AS length, substr(p.text, 1, 200) AS preview"
        f" FROM prompts p LEFT JOIN sessions s ON s.id = p.session_id {where}"
        " ORDER BY CASE WHEN p.status IN ('pending','assigning','running') THEN 0 ELSE 1 END,"
        " CASE WHEN p.status IN ('pending','assigning','running') THEN -p.priority ELSE 0 END,"
        " CASE WHEN p.status IN ('pending','assigning','running') THEN p.created_at ELSE -p.id END, p.id"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [dict(r) for r in store.query(sql, params)]


def cancel_prompt(store: Store, prompt_id: int, *, now: float) -> str:
    """Cancel a pending prompt. A prompt already sent cannot be taken back from the agent: DataError."""
    with store.write() as conn:
        row = conn.execute("SELECT status FROM prompts WHERE id = ?", (prompt_id,)).fetchone()
        if row is None:
            raise DataError(f"no prompt #{prompt_id}")
        if row[0] != "pending":
            raise DataError(f"prompt #{prompt_id} is {row[0]}; only pending prompts can be cancelled")
        conn.execute("UPDATE prompts SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ?",
                     (int(now), int(now), prompt_id))
    store.log_activity("queue", f"prompt #{prompt_id} cancelled", prompt_id=prompt_id, at=now)
    return "cancelled"


def retry_prompt(store: Store, prompt_id: int, *, now: float) -> None:
    """Put a failed or cancelled prompt back in the queue with a fresh set of attempts."""
    with store.write() as conn:
        row = conn.execute("SELECT status FROM prompts WHERE id = ?", (prompt_id,)).fetchone()
        if row is None:
            raise DataError(f"no prompt #{prompt_id}")
        if row[0] not in ("failed", "cancelled"):
            raise DataError(f"prompt #{prompt_id} is {row[0]}; only failed or cancelled prompts can be retried")
        conn.execute(
            "UPDATE prompts SET status = 'pending', attempts = 0, error = NULL, session_id = NULL,"
            " assigned_at = NULL, started_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ?",
            (int(now), prompt_id))
    store.log_activity("queue", f"prompt #{prompt_id} queued again", prompt_id=prompt_id, at=now)


def change_priority(store: Store, prompt_id: int, delta: int, *, now: float) -> int:
    with store.write() as conn:
        row = conn.execute("SELECT status, priority FROM prompts WHERE id = ?", (prompt_id,)).fetchone()
        if row is None:
            raise DataError(f"no prompt #{prompt_id}")
        if row[0] != "pending":
            raise DataError(f"prompt #{prompt_id} is {row[0]}; only pending prompts can be re-prioritised")
        priority = int(row[1]) + int(delta)
        conn.execute("UPDATE prompts SET priority = ?, updated_at = ? WHERE id = ?", (priority, int(now), prompt_id))
    return priority


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0  # lines imported by an earlier run of the same file
    torn: int = 0  # lines that are not JSON objects
    torn_lines: list[int] = field(default_factory=list)  # their numbers, so that the user can find them
    invalid: list[str] = field(default_factory=list)  # "line N: reason"


def _record(obj: dict[str, Any], source: str) -> NewPrompt:
    text = obj.get("text", obj.get("prompt"))
    priority = obj.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise DataError(f"priority must be an integer, got {priority!r}")
    return NewPrompt(text=text if isinstance(text, str) else "", project_dir=obj.get("project") or obj.get("project_dir"),
                     workflow=obj.get("workflow"), priority=priority,
                     agent_kind=obj.get("agent") or obj.get("agent_kind"), session=obj.get("session"), source=source)


def import_jsonl(store: Store, lines: Iterable[bytes], *, now: float, max_attempts: int = 3) -> ImportResult:
    """Add one prompt per JSON line. Each line's content hash is its source key, so running the same import
    again (after a crash, or by mistake) adds nothing twice. Torn lines are skipped and counted."""
    result = ImportResult()
    rows: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            obj = None
        if not isinstance(obj, dict):
            result.torn += 1
            result.torn_lines.append(number)
            continue
        source = "import:" + hashlib.sha256(raw.rstrip(b"\r\n")).hexdigest()[:32]
        try:
            new = _record(obj, source)
            project, session_id = validate(store, new)
        except DataError as exc:
            result.invalid.append(f"line {number}: {exc}")
            continue
        if source in seen or store.scalar("SELECT 1 FROM prompts WHERE source = ? LIMIT 1", (source,)):
            result.already += 1
            continue
        seen.add(source)
        rows.append((new.text, project, new.workflow, new.priority, new.agent_kind, session_id, max_attempts,
                     source, int(now), int(now)))
    if rows:
        store.executemany(
            "INSERT INTO prompts (text, project_dir, workflow, priority, agent_kind, status, pinned_session_id,"
            " max_attempts, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)", rows)
        store.log_activity("queue", f"{len(rows)} prompts imported", at=now)
    result.added = len(rows)
    return result
