"""The queue pane: prompts with ETA and a sparkline; a adds, +/- re-prioritise, c cancels, Enter shows the text."""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import DataTable

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.services.clock import SystemClock
from fleetdeck.services.config import load_config
from fleetdeck.services.events import EventBus
from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.queue.prompts import NewPrompt, add_prompt
from fleetdeck.services.store import Store
from fleetdeck.services.store.async_store import AsyncStore
from fleetdeck.widgets.modals import TextEntryModal, TextViewModal
from fleetdeck.widgets.queue import QueuePane


def _env(fleet_home: Path) -> ConsoleEnv:
    paths = resolve_paths().ensure()
    store = Store.open(paths.db_file)
    now = time.time()
    add_prompt(store, NewPrompt("first line of a long prompt\nsecond line", workflow="review", priority=1), now=now)
    store.execute("INSERT INTO queue_depth (at, pending, running) VALUES (?, 3, 1), (?, 1, 0)",
                  (int(now) - 120, int(now) - 60))
    store.close()
    config = load_config(paths)
    config.values["queue"]["console_assign"] = False
    return ConsoleEnv(config=config, astore=AsyncStore(paths.db_file).open_sync(), clock=SystemClock(),
                      events=EventBus())


async def _until(pilot, check, timeout: float = 8.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the queue pane"
        await pilot.pause(0.1)


async def test_queue_pane_lists_adds_reprioritises_cancels_and_shows_prompts(fleet_home: Path) -> None:
    env = _env(fleet_home)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        pane = app.query_one(QueuePane)
        table = pane.query_one("#queue-table", DataTable)
        await _until(pilot, lambda: table.row_count == 1)
        row = table.get_row("1")
        assert row[1] == 1 and row[2] == "pending" and row[3] == "review" and row[7] == "unknown"
        assert str(row[8]).startswith("first line of a long prompt second line")
        table.focus()

        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, TextViewModal))
        assert app.screen.text == "first line of a long prompt\nsecond line"
        await pilot.press("escape")

        await pilot.press("plus")
        await _until(pilot, lambda: table.get_row("1")[1] == 2)

        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, TextEntryModal))
        app.screen.query_one("#entry").insert("added from the console")
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: table.row_count == 2)

        table.focus()
        table.move_cursor(row=0)
        await pilot.press("c")
        await _until(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[8] == "added from the console"
    await env.astore.close()


async def test_the_queue_summary_keeps_the_drain_eta_first_and_the_agents_counts_whole(fleet_home: Path) -> None:
    from rich.text import Text
    from textual.widgets import Static

    app = FleetdeckApp(_env(fleet_home))
    async with app.run_test(size=(120, 40)) as pilot:  # the queue pane gets about a third of the width
        await app.panes_ready()
        summary = app.query_one(QueuePane).query_one("#queue-summary", Static)
        await _until(pilot, lambda: "drain" in str(summary.render()))
        await pilot.pause(0.2)
        text = summary.render()
        assert "idle" in str(text).split("\n")[1], "the agents' counts start a row of their own"
        assert summary.size.height == 2, "two rows, not cut to one"
        assert not app.query_one(QueuePane).query_one("#queue-depth").display, "a narrow pane drops the sparkline"
        shown = " ".join(line.plain.rstrip() for line in Text(str(text)).wrap(app.console, summary.size.width)[:2])
        assert "drain unknown" in shown, "the drain ETA, whole, is within the rows shown"
