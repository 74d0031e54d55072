"""Session operations shared by the console keys and the headless CLI: find, send, answer, restart, kill, new."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, UsageError

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store


def find_session(store: "Store", ref: str) -> dict[str, Any]:
    """A live session by key ("socket/%3"), name, or row id."""
    rows = store.query("SELECT * FROM sessions WHERE gone_at IS NULL AND (key = ? OR name = ? OR CAST(id AS TEXT) = ?)"
                       " ORDER BY id", (ref, ref, ref))
    if not rows:
        raise DataError(f"no live session {ref!r} (see `fleetdeck sessions`)")
    if len(rows) > 1:
        raise UsageError(f"{ref!r} names {len(rows)} sessions; use its key: " + ", ".join(r["key"] for r in rows))
    return dict(rows[0])


def log(store: "Store", session: dict[str, Any], message: str, level: str = "info") -> None:
    store.execute("INSERT INTO activity_log (at, level, source, session_id, message) VALUES (?, ?, 'sessions', ?, ?)",
                  (int(time.time()), level, session["id"], message))


def send(store: "Store", ref: str, text: str) -> dict[str, Any]:
    from ..tmux.actions import send_prompt

    s = find_session(store, ref)
    send_prompt(s["socket"], s["pane_id"], text)
    log(store, s, f"prompt sent to {s['name']} ({len(text)} chars)")
    return s


def answer(store: "Store", ref: str, yes: bool) -> dict[str, Any]:
    from ..tmux.actions import answer_permission

    s = find_session(store, ref)
    if s["state"] != "permission":
        raise UsageError(f"{s['name']} is not waiting for permission (it is {s['state']})")
    answer_permission(s["socket"], s["pane_id"], s["agent_kind"], yes)
    log(store, s, f"permission {'granted' if yes else 'refused'} for {s['name']}")
    return s


def restart(store: "Store", config: "Config", ref: str, *, dry_run: bool = False, screen: str = "") -> str:
    """Restart with a handoff note (``/clear`` for Claude Code, respawn otherwise); the resume prompt follows
    from the next health pass once the agent is idle."""
    from .policies import PolicyConfig, restart_with_handoff

    s = find_session(store, ref)
    if dry_run:
        return f"would restart {s['name']} ({s['agent_kind']}) with a handoff note"
    task = None
    if s.get("current_prompt_id"):
        task = store.scalar("SELECT text FROM prompts WHERE id = ?", (s["current_prompt_id"],))
    note = restart_with_handoff(store, s, screen=screen or capture(s), task=task, now=int(time.time()),
                                cfg=PolicyConfig.from_config(config), handoff_dir=Path(config.paths.data_dir) / "handoffs")
    return f"restarted {s['name']}; handoff note {note}"


def set_policy(store: "Store", ref: str, policy: str) -> str:
    if policy not in ("off", "ask", "auto"):
        raise UsageError(f"restart policy must be off, ask or auto, not {policy!r}")
    s = find_session(store, ref)
    store.execute("UPDATE sessions SET restart_policy = ? WHERE id = ?", (policy, s["id"]))
    log(store, s, f"{s['name']}: restart policy {policy}")
    return f"{s['name']}: restart policy {policy}"


def kill(store: "Store", ref: str, *, dry_run: bool = False) -> str:
    from ..tmux.actions import kill_pane

    s = find_session(store, ref)
    if dry_run:
        return f"would kill {s['name']} (pane {s['pane_id']} on {s['socket']})"
    kill_pane(s["socket"], s["pane_id"])
    # Gone now, not at the next poll: the server of its last pane exits with it, and a poll that cannot reach
    # a server leaves its sessions listed as 'unknown' (a pane with its id that comes back revives the row).
    now = int(time.time())
    with store.write() as conn:
        conn.execute("UPDATE sessions SET gone_at = ?, state = 'dead', state_since = ?, detail = 'killed'"
                     " WHERE id = ? AND gone_at IS NULL", (now, now, s["id"]))
        conn.execute("INSERT INTO session_states (session_id, at, from_state, to_state, detail)"
                     " VALUES (?, ?, ?, 'dead', 'killed')", (s["id"], now, s["state"]))
    log(store, s, f"{s['name']} killed", "warning")
    return f"killed {s['name']}"


def new(config: "Config", name: str, project_dir: str, command: str, socket: str | None = None) -> str:
    from ..tmux.actions import new_session

    sockets = list(config.get("tmux", "sockets", ["default"]) or ["default"])
    pane = new_session(socket or sockets[0], name, project_dir, command)
    return f"started {name} ({pane}) in {project_dir}"


def capture(s: dict[str, Any]) -> str:
    import subprocess

    from ..tmux.paste import tmux_base

    proc = subprocess.run(tmux_base(s["socket"]) + ["capture-pane", "-p", "-t", s["pane_id"]],
                          capture_output=True, text=True, timeout=10, check=False)
    return proc.stdout if proc.returncode == 0 else ""
