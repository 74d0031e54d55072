"""The Maintenance view lists the maintenance jobs with last and next runs, runs them from keys after a
confirmation, and shows git-sync's per-repository results."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from textual.widgets import DataTable

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.app.screens.maintenance import MaintenanceScreen
from fleetdeck.services.clock import SystemClock
from fleetdeck.services.config import load_config
from fleetdeck.services.events import EventBus
from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.store import Store
from fleetdeck.services.store.async_store import AsyncStore


def _env(fleet_home: Path) -> ConsoleEnv:
    paths = resolve_paths().ensure()
    store = Store.open(paths.db_file)
    now = int(time.time())
    summary = {"repos": [{"path": "/src/notes", "status": "skipped", "reason": "detached HEAD", "branch": "",
                          "pulled": 0, "committed": [], "pushed": 0, "uncommitted": []},
                         {"path": "/src/app", "status": "ok", "reason": "", "branch": "main", "pulled": 3,
                          "committed": ["notes/a.md"], "pushed": 1, "uncommitted": []}]}
    store.execute("INSERT INTO job_runs (job, started_at, finished_at, status, summary) VALUES"
                  " ('git-sync', ?, ?, 'ok', ?)", (now - 60, now - 59, json.dumps(summary)))
    store.log_activity("test", "very old", at=now - 400 * 86400)
    store.close()
    return ConsoleEnv(config=load_config(paths), astore=AsyncStore(paths.db_file).open_sync(),
                      clock=SystemClock(), events=EventBus())


async def _until(pilot, check, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the maintenance view"
        await pilot.pause(0.1)


async def test_maintenance_view_shows_jobs_and_git_sync_results_and_runs_cleanup_after_confirm(
        fleet_home: Path) -> None:
    env = _env(fleet_home)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("M")
        await _until(pilot, lambda: isinstance(app.screen, MaintenanceScreen))
        screen = app.screen
        jobs = screen.query_one("#maint-jobs", DataTable)
        await _until(pilot, lambda: jobs.row_count == 4)
        cleanup = jobs.get_row("cleanup")
        assert cleanup[1] == "15 3 * * *" and cleanup[2] == "never" and cleanup[5] != "not scheduled"
        repos = screen.query_one("#maint-repos", DataTable)
        assert repos.get_row("/src/notes")[2:] == ["skipped", 0, 0, 0, "detached HEAD"]
        assert repos.get_row("/src/app")[3:6] == [3, 1, 1]

        await pilot.press("c")
        await pilot.pause(0.2)
        await pilot.press("y")  # the confirmation: cleanup changes data
        await _until(pilot, lambda: jobs.get_row("cleanup")[3] == "ok")
        assert jobs.get_row("cleanup")[4] == "1 rows changed of 1 matched"
        await pilot.pause(0.3)
        widths = [column.content_width for column in jobs.columns.values()]
        assert all(w >= len(str(v)) for w, v in zip(widths, jobs.get_row("cleanup"))), "a wider value widens its column"
    await env.astore.close()


async def test_archiving_projects_from_the_view_asks_first_and_a_no_leaves_the_files(fleet_home: Path,
                                                                                    tmp_path: Path) -> None:
    from fleetdeck.widgets.modals import ConfirmModal

    old = tmp_path / "agents" / "old"
    old.mkdir(parents=True)
    (old / "notes.md").write_text("keep me\n")
    for path in (old / "notes.md", old):
        os.utime(path, (time.time() - 400 * 86400,) * 2)
    (fleet_home / "config.toml").write_text(f'[backup]\narchive_paths = ["{old.parent}/*"]\n')
    env = _env(fleet_home)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("M")
        await _until(pilot, lambda: isinstance(app.screen, MaintenanceScreen))
        jobs = app.screen.query_one("#maint-jobs", DataTable)
        await _until(pilot, lambda: jobs.row_count == 4)
        assert jobs.get_row("archive-projects")[2] == "never"
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert app.screen.title_text == "Run archive-projects?"
        await pilot.press("n")
        await _until(pilot, lambda: isinstance(app.screen, MaintenanceScreen))
        await pilot.pause(0.3)
        assert (old / "notes.md").read_text() == "keep me\n"
        assert jobs.get_row("archive-projects")[2] == "never"
    await env.astore.close()
