"""The errors pane: groups by recent activity with sparklines, new ones highlighted; Enter, b, l, m, f."""

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
from fleetdeck.services.store import Store
from fleetdeck.services.store.async_store import AsyncStore
from fleetdeck.services.triage.engine import record_error
from fleetdeck.widgets.errors import ErrorsPane
from fleetdeck.widgets.modals import TextEntryModal, TextViewModal

TB = 'Traceback (most recent call last):\n  File "/a/app/x.py", line 3, in run\n    go()\nKeyError: \'k\'\n'


def _env(fleet_home: Path) -> ConsoleEnv:
    paths = resolve_paths().ensure()
    store = Store.open(paths.db_file)
    now = time.time()
    for hours_ago in (40, 30, 5, 2):  # an old group: not new
        record_error(store, source="log", text="ERROR upstream timed out", at=now - hours_ago * 3600)
    record_error(store, source="session", text=TB, at=now - 60)  # first seen a minute ago: new
    store.close()
    return ConsoleEnv(config=load_config(paths), astore=AsyncStore(paths.db_file).open_sync(), clock=SystemClock(),
                      events=EventBus())


async def _until(pilot, check, timeout: float = 8.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the errors pane"
        await pilot.pause(0.1)


async def test_errors_pane_lists_groups_and_files_links_mutes_and_fixes(fleet_home: Path) -> None:
    env = _env(fleet_home)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        pane = app.query_one(ErrorsPane)
        table = pane.query_one("#errors-table", DataTable)
        await _until(pilot, lambda: table.row_count == 2)
        first, second = table.get_row_at(0), table.get_row_at(1)
        assert str(first[7]).startswith("NEW KeyError") and first[3] == 1  # most recent first, highlighted
        assert second[3] == 4 and not str(second[7]).startswith("NEW") and len(second[4]) == 24
        table.focus()
        table.move_cursor(row=0)

        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, TextViewModal))
        assert "stack (in-app frames):" in app.screen.text and "x:run" in app.screen.text
        await pilot.press("escape")

        await pilot.press("b")
        await _until(pilot, lambda: table.get_row_at(0)[6] == "#1")
        table.move_cursor(row=1)
        await pilot.press("l")
        await _until(pilot, lambda: isinstance(app.screen, TextEntryModal))
        app.screen.query_one("#entry").value = "1"
        await pilot.press("enter")
        await _until(pilot, lambda: table.get_row_at(1)[6] == "#1")

        await pilot.press("m")
        await _until(pilot, lambda: table.get_row_at(1)[2] == "muted")
        table.move_cursor(row=0)
        await pilot.press("f")
        await _until(pilot, lambda: table.get_row_at(0)[2] == "fixed")
    await env.astore.close()
