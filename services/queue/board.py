"""What the console's queue pane shows: active prompts with their ETA, the queue-depth history, the summary."""

from __future__ import annotations

from typing import Any

from ..store import Store
from .snapshot import human_duration, load_history, take_snapshot

ROWS = 200


def queue_board(store: Store, now: float, *, rows: int = ROWS, depth_points: int = 60) -> dict[str, Any]:
    snap = take_snapshot(store.conn, now, next_count=rows)
    eta = {item["id"]: item["eta"] for item in snap["next"]}
    active = store.query(
        "SELECT p.id, p.status, p.priority, p.workflow, p.project_dir, s.name AS session, p.created_at,"
        " p.started_at, substr(p.text, 1, 200) AS preview FROM prompts p LEFT JOIN sessions s ON s.id = p.session_id"
        " WHERE p.status IN ('assigning', 'running') ORDER BY p.started_at, p.id")
    history = load_history(store.conn, {r["workflow"] for r in active if r["workflow"]})
    items: list[dict[str, Any]] = []
    for r in active:
        d = history.for_workflow(r["workflow"])
        left = None if d is None else max(d.median - (now - (r["started_at"] or now)), 0.0)
        items.append({"id": r["id"], "status": r["status"], "priority": r["priority"], "workflow": r["workflow"],
                      "project": r["project_dir"], "session": r["session"], "age_s": int(now - r["created_at"]),
                      "eta": human_duration(left), "preview": r["preview"]})
    pending = store.query(
        "SELECT p.id, p.priority, p.workflow, p.project_dir, s.name AS session, p.created_at,"
        " substr(p.text, 1, 200) AS preview FROM prompts p LEFT JOIN sessions s ON s.id = p.pinned_session_id"
        " WHERE p.status = 'pending' ORDER BY p.priority DESC, p.created_at, p.id LIMIT ?", (rows,))
    for r in pending:
        items.append({"id": r["id"], "status": "pending", "priority": r["priority"], "workflow": r["workflow"],
                      "project": r["project_dir"], "session": r["session"], "age_s": int(now - r["created_at"]),
                      "eta": eta.get(r["id"], "unknown"), "preview": r["preview"]})
    depth = [int(r[0]) + int(r[1]) for r in reversed(store.query(
        "SELECT pending, running FROM queue_depth ORDER BY at DESC LIMIT ?", (depth_points,)))]
    return {"items": items, "depth": depth, "summary": {k: v for k, v in snap.items() if k != "next"}}


def prompt_text(store: Store, prompt_id: int) -> str:
    row = store.query_one("SELECT text FROM prompts WHERE id = ?", (prompt_id,))
    return "" if row is None else str(row[0])
