"""The Jobs view: every job with its schedule and last result, and the recent runs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label

from fleetdeck.widgets.table_sync import selected_key, sync_rows

from . import ViewSpec

if TYPE_CHECKING:
    from fleetdeck.app.console_env import ConsoleEnv

VIEW = ViewSpec("jobs", "Jobs", "j", f"{__name__}:JobsScreen", "jobs, schedules and recent runs")


def _when(ts: int | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


class JobsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,j", "app.pop_screen", "Back"),
        Binding("enter", "run_selected", "Run job"),
        Binding("d", "run_selected(True)", "Dry run"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, env: "ConsoleEnv") -> None:
        super().__init__()
        self.env = env
        self.title = "Jobs"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="jobs-view"):
            yield Label("Jobs", classes="section-title")
            yield DataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
            yield Label("Recent runs", classes="section-title")
            yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        jobs = self.query_one("#jobs-table", DataTable)
        jobs.add_columns("job", "schedule", "changes data", "last run", "result", "description")
        runs = self.query_one("#runs-table", DataTable)
        runs.add_columns("#", "job", "trigger", "started", "took", "status", "result")
        self.watch_jobs = self.env.events.subscribe(self._on_job_event, ("job.finished",))
        await self.action_reload()
        jobs.focus()

    def on_unmount(self) -> None:
        self.watch_jobs()

    def _on_job_event(self, event: Any) -> None:
        self.app.on_any_thread(self.action_reload)  # type: ignore[attr-defined]

    async def action_reload(self) -> None:
        from fleetdeck.services.jobrunner import last_runs, recent_runs
        from fleetdeck.services.jobs import all_jobs, effective_schedule

        specs = all_jobs()
        last = await self.env.astore.call(last_runs)
        runs = await self.env.astore.call(recent_runs, 50)
        rows: dict[str, tuple] = {}
        for spec in specs:
            run = last.get(spec.name)
            rows[spec.name] = (
                spec.name,
                effective_schedule(spec, self.env.config) or "manual",
                "yes" if spec.mutates else "no",
                _last_run(run),
                run["status"] if run else "-",
                spec.description,
            )
        sync_rows(self.query_one("#jobs-table", DataTable), rows)
        run_rows: dict[str, tuple] = {}
        for run in runs:
            took = "-" if not run["finished_at"] else f"{run['finished_at'] - run['started_at']}s"
            message = run["error"] or _summary_line(run["summary"])
            run_rows[str(run["id"])] = (run["id"], run["job"], run["trigger"], _when(run["started_at"]), took,
                                        run["status"], message)
        sync_rows(self.query_one("#runs-table", DataTable), run_rows)

    def action_run_selected(self, dry_run: bool = False) -> None:
        key = selected_key(self.query_one("#jobs-table", DataTable))
        if key is None:
            return
        self.app.run_job_interactive(key, dry_run=dry_run)  # type: ignore[attr-defined]


def _last_run(run: dict[str, Any] | None) -> str:
    if run is None:
        return "never"
    # A pass of `watch` or the console has no job_runs row (id None): say which ran it.
    return _when(run["started_at"]) + (f" ({run['trigger']} pass)" if run["id"] is None else "")


def _summary_line(summary: str | None) -> str:
    if not summary:
        return ""
    import json  # here: the console imports this module for its VIEW before the first frame

    try:
        data = json.loads(summary)
    except ValueError:
        return summary[:80]
    return ", ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, (dict, list)))[:100]
