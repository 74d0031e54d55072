"""The sessions pane shows live agents from a real tmux server, and answers a permission prompt after showing it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.services.clock import SystemClock
from fleetdeck.services.config import load_config
from fleetdeck.services.events import EventBus
from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.store.async_store import AsyncStore
from fleetdeck.widgets.modals import ConfirmModal
from fleetdeck.widgets.sessions import SessionsPane

from ..integration.test_health_poll import start_agent

pytestmark = pytest.mark.tmux


async def _until(pilot, check, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the sessions pane"
        await pilot.pause(0.1)


async def test_permission_answered_from_the_console_reaches_the_agent(fleet_home: Path, tmux_socket: str,
                                                                     tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    start_agent(tmux_socket, "asker", "--kind", "claude", "--script", "permission", record=record)
    start_agent(tmux_socket, "busy", "--kind", "codex", "--scenario", "working")
    paths = resolve_paths().ensure()
    config = load_config(paths)
    config.values.setdefault("tmux", {})["sockets"] = [tmux_socket]
    env = ConsoleEnv(config=config, astore=AsyncStore(paths.db_file).open_sync(), clock=SystemClock(),
                     events=EventBus())
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        pane = app.query_one(SessionsPane)
        table = pane.query_one("#sessions-table", DataTable)
        await _until(pilot, lambda: {str(r.get("state")) for r in pane.rows.values()} == {"permission", "working"})
        assert table.row_count == 2
        pane.sort_by = "state"
        pane._sort(table)
        table.focus()
        table.move_cursor(row=0)
        assert str(table.get_row_at(0)[2]) == "permission?"
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "Do you want to proceed?" in app.screen.body_text
        await pilot.press("y")
        await _until(pilot, lambda: record.exists() and record.read_text().strip() != "")
        assert json.loads(record.read_text().splitlines()[0])["answer"] == "yes"
        await pilot.press("slash")
        await pilot.pause(0.2)
        for ch in "codex":
            await pilot.press(ch)
        await pilot.press("enter")
        await _until(pilot, lambda: table.row_count == 1)
    await env.astore.close()
