"""The metrics pane shows host gauges with sparklines and per-session usage, and samples only while visible."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.services.clock import SystemClock
from fleetdeck.services.config import load_config
from fleetdeck.services.events import EventBus
from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.store import Store
from fleetdeck.services.store.async_store import AsyncStore
from fleetdeck.widgets.metrics import HostGauges, MetricsPane
from textual.widgets import DataTable


def _env(fleet_home: Path) -> ConsoleEnv:
    paths = resolve_paths().ensure()
    store = Store.open(paths.db_file)
    now = int(time.time())
    store.execute("INSERT INTO sessions (id, key, name, pane_pid, state, restarts, created_at, started_at)"
                  " VALUES (1, 'k', 'this-test', ?, 'working', 2, ?, ?)", (os.getpid(), now - 600, now - 600))
    store.execute("INSERT INTO api_calls (at, model, latency_ms, source) VALUES (?, 'sonnet', 1200, 'log')", (now,))
    store.close()
    return ConsoleEnv(config=load_config(paths), astore=AsyncStore(paths.db_file).open_sync(),
                      clock=SystemClock(), events=EventBus())


async def _until(pilot, check, timeout: float = 8.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the metrics pane"
        await pilot.pause(0.1)


async def test_metrics_pane_shows_host_sessions_and_latency(fleet_home: Path) -> None:
    env = _env(fleet_home)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        pane = app.query_one(MetricsPane)
        await _until(pilot, lambda: pane.query_one("#metrics-sessions", DataTable).row_count == 1)
        gauges = pane.query_one(HostGauges)
        labels = gauges.labels
        assert labels[:3] == ["CPU", "Memory", "Swap"] and "Disk /" in labels and labels[-1] == "Network"
        assert gauges.size.height == len(labels) + 1  # a line per gauge, then the per-core line
        drawn = [gauges.render_line(y).text for y in range(gauges.size.height)]
        assert drawn[0].startswith("CPU") and "%" in drawn[0]
        assert any(bar in drawn[0] for bar in "▁▂▃▄▅▆▇█")  # its sparkline
        assert drawn[-1].startswith("cores 0:")
        row = pane.query_one("#metrics-sessions", DataTable).get_row("1")
        assert row[0] == "this-test" and str(row[3]).endswith("B") and row[5] == "2"
        latency = pane.query_one("#metrics-latency", DataTable)
        assert latency.get_row("sonnet")[2] == "1200 ms"
        pane.focus_pane()
        await pilot.press("l")
        assert not latency.display
        await pilot.press("l")
        assert latency.display
    await env.astore.close()


async def _zoom_another_pane(app: FleetdeckApp, pilot) -> None:  # noqa: ANN001
    """Focus a pane other than metrics and zoom it, as a person would with Tab and z."""
    for name, (_, other) in app.panes.items():
        if name == "metrics":
            continue
        other.focus_pane()
        await pilot.pause(0.05)
        if app._focused_pane() is other:
            await pilot.press("z")
            return
    raise AssertionError("no other pane can take the focus")


async def test_metrics_pane_stops_sampling_while_hidden(fleet_home: Path) -> None:
    env = _env(fleet_home)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        controller, pane = app.panes["metrics"]
        await _until(pilot, lambda: len(controller._history.get("cpu", ())) >= 1)
        await _zoom_another_pane(app, pilot)
        assert not pane.display
        await pilot.pause(1.0)  # a load already under way when it was hidden may still finish
        hidden_at = len(controller._history["cpu"])
        await pilot.pause(controller.interval + 1.5)
        assert len(controller._history["cpu"]) == hidden_at
        await pilot.press("z")
        await _until(pilot, lambda: len(controller._history["cpu"]) > hidden_at)
    await env.astore.close()
