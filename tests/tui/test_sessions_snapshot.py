"""Snapshot of the sessions pane rendering a demo-like fleet (fixed rows and clock)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from fleetdeck.app.panes.sessions import SessionsView
from fleetdeck.widgets.sessions import SessionsPane

NOW = 1_767_225_600.0


def _row(i: int, name: str, kind: str, state: str, ctx: int | None, **extra) -> dict:  # noqa: ANN003
    return {"key": f"demo/%{i}", "name": name, "agent_kind": kind, "state": state, "state_since": NOW - 90 * i,
            "context_left": ctx, "started_at": NOW - 3600 - 600 * i, "restarts": i % 2, "task": extra.get("task"),
            "project_dir": f"/home/dev/src/{name}", "reset_at": extra.get("reset_at"), "detail": extra.get("detail"),
            "pane_id": f"%{i}", "socket": "demo"}


FLEET = SessionsView(rows=[
    _row(0, "api", "claude", "working", 62, task="Add pagination to the orders endpoint"),
    _row(1, "web", "codex", "permission", 40, detail="Would you like to run the following command?"),
    _row(2, "docs", "gemini", "idle", 88),
    _row(3, "etl", "claude", "usage_limited", 30, reset_at=NOW + 5400),
    _row(4, "infra", "aider", "dead", None, detail="exited with status 3"),
    _row(5, "mobile", "claude", "idle", 4),
], unavailable={}, now=NOW)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SessionsPane(None)

    def on_mount(self) -> None:
        self.query_one(SessionsPane).show(FLEET)


def test_sessions_pane_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(PaneApp(), terminal_size=(120, 14))
