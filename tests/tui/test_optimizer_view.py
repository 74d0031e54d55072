"""The Optimizer view shows the score trend, per-file scores, issues and changes with their diff, and reverts
an applied change after a confirmation."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from textual.widgets import DataTable, Static

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.app.screens.optimizer import OptimizerScreen
from fleetdeck.services.clock import SystemClock
from fleetdeck.services.config import load_config
from fleetdeck.services.events import EventBus
from fleetdeck.services.optimizer.patches import apply_and_commit
from fleetdeck.services.optimizer.review import Improvement
from fleetdeck.services.paths import resolve_paths
from fleetdeck.services.store import Store
from fleetdeck.services.store.async_store import AsyncStore

PATCH = "--- a/AGENTS.md\n+++ b/AGENTS.md\n@@ -1 +1,2 @@\n # Agents\n+Use timeouts.\n"


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _env(tmp_path: Path) -> tuple[ConsoleEnv, Path]:
    import git

    ws = tmp_path / "ws"
    ws.mkdir()
    _git(ws, "init", "-q")
    (ws / "AGENTS.md").write_text("# Agents\n")
    _git(ws, "add", ".")
    _git(ws, "commit", "-q", "-m", "init")
    sha = apply_and_commit(git.Repo(ws), Improvement("AGENTS.md", "timeouts", "add_sentence", PATCH))
    paths = resolve_paths().ensure()
    paths.config_file.write_text(f'[optimizer]\nworkspace = "{ws}"\nfiles = ["AGENTS.md"]\n')
    store = Store.open(paths.db_file)
    now = int(time.time())
    for run_id, score in ((1, 60), (2, 75)):
        store.execute("INSERT INTO optimizer_runs (id, started_at, workspace, model, score) VALUES (?, ?, ?, 'm', ?)",
                      (run_id, now - 86400 * (3 - run_id), str(ws), score))
        store.execute("INSERT INTO optimizer_reviews (run_id, file, status, score, issues) VALUES"
                      " (?, 'AGENTS.md', 'reviewed', ?, ?)",
                      (run_id, score, json.dumps([{"severity": "high", "file": "AGENTS.md", "text": "no timeouts"}])))
    store.execute("INSERT INTO optimizer_changes (run_id, file, change_type, rationale, patch, status, commit_sha,"
                  " updated_at) VALUES (2, 'AGENTS.md', 'add_sentence', 'timeouts', ?, 'applied', ?, ?)",
                  (PATCH, sha, now))
    store.close()
    env = ConsoleEnv(config=load_config(paths), astore=AsyncStore(paths.db_file).open_sync(),
                     clock=SystemClock(), events=EventBus())
    return env, ws


async def _until(pilot, check, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the optimizer view"
        await pilot.pause(0.1)


async def test_optimizer_view_shows_scores_and_diff_and_reverts_after_confirm(fleet_home: Path,
                                                                            tmp_path: Path) -> None:
    env, ws = _env(tmp_path)
    app = FleetdeckApp(env)
    async with app.run_test(size=(160, 45)) as pilot:
        app.action_open_view("optimizer")  # its key "o" is also the sessions pane's sort key when that has focus
        await _until(pilot, lambda: isinstance(app.screen, OptimizerScreen))
        screen = app.screen
        await _until(pilot, lambda: bool(screen.query("#opt-changes")))
        changes = screen.query_one("#opt-changes", DataTable)
        await _until(pilot, lambda: changes.row_count == 1)
        assert screen.query_one("#opt-files", DataTable).get_row("AGENTS.md")[2] == "75 (+15)"
        assert "Use timeouts." in str(screen.query_one("#opt-diff", Static).render())
        await pilot.press("v")
        await pilot.pause(0.2)
        await pilot.press("y")
        await _until(pilot, lambda: changes.get_row("1")[1] == "reverted")
        assert (ws / "AGENTS.md").read_text() == "# Agents\n"
    await env.astore.close()
