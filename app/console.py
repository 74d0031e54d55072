"""The Textual console: five panes over the fleet, an activity log, jobs from keys and the palette.

Layering: the App wires controllers (app/panes) to widgets (widgets/); widgets render what they are given.
Each pane refreshes on its own self-pacing loop and only while it is on the active screen and displayed.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from importlib import import_module
from typing import Any, Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, Label, ProgressBar

from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.app.palette import FleetdeckCommands
from fleetdeck.app.panes import PANES
from fleetdeck.app.panes.base import PaneController
from fleetdeck.app.screens import ViewSpec, discover_views
from fleetdeck.widgets.activity import ActivityLog
from fleetdeck.widgets.modals import ConfirmModal
from fleetdeck.widgets.pane import Pane


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


_frozen = False


def _freeze_start_up_objects() -> None:
    """Move everything built so far (modules, classes, the panes) out of the garbage collector's reach.

    It lives as long as the console. Without this the first frame pays for a full collection over ~300k
    start-up objects (about 60 ms, a third of the console's start-up beyond a bare Textual app), and every
    later full collection while the console runs walks them all again. Once per process: tests build many apps.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


class JobStatus(Horizontal):
    """A one-line strip above the footer while a job someone started runs: its name, message and progress.

    Mounted when such a job starts and removed when the last one ends: a progress bar animates on a timer
    (fifteen times a second) even while hidden.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._latest: dict[str, Any] | None = None
        self._composed = False

    def compose(self) -> ComposeResult:
        yield Label("", id="job-label")
        yield ProgressBar(id="job-progress", show_eta=False)

    def on_mount(self) -> None:
        self._composed = True
        if self._latest is not None:
            self.show(self._latest)

    def show(self, data: dict[str, Any]) -> None:
        self._latest = data
        if not self._composed:  # shown as soon as it is mounted
            return
        self.query_one("#job-label", Label).update(f"[b]{data['job']}[/] {data.get('message') or ''}")
        self.query_one("#job-progress", ProgressBar).update(total=data.get("total"), progress=data.get("done") or 0)


class FleetdeckApp(App[None]):
    CSS_PATH = "../styles/app.tcss"
    TITLE = "fleetdeck"
    COMMANDS = App.COMMANDS | {FleetdeckCommands}
    BINDINGS = [
        Binding("1", "focus_pane('sessions')", "Sessions", show=False),
        Binding("2", "focus_pane('queue')", "Queue", show=False),
        Binding("3", "focus_pane('spend')", "Spend", show=False),
        Binding("4", "focus_pane('errors')", "Errors", show=False),
        Binding("5", "focus_pane('metrics')", "Metrics", show=False),
        Binding("z", "zoom", "Zoom"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, env: ConsoleEnv, *, on_exit: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.env = env
        self._on_exit = on_exit
        self.panes: dict[str, tuple[PaneController, Pane]] = {}
        for name, controller_path, widget_path in PANES:
            controller = _load(controller_path)(env)
            widget = _load(widget_path)(controller)
            self.panes[name] = (controller, widget)
        self.views: list[ViewSpec] = discover_views()
        self._wake: dict[str, asyncio.Event] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._loop_thread: int | None = None
        # Jobs a person started here; background passes (the assigner, polls) do not flash the status strip.
        self._interactive_jobs: set[str] = set()
        self._job_status: JobStatus | None = None  # the strip while such a job runs
        self.theme = str(env.config.get("general", "theme", "textual-dark"))
        _freeze_start_up_objects()

    # -- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Grid(id="panes"):
            for _, pane in self.panes.values():
                yield pane
        yield ActivityLog()
        yield Footer()

    async def on_mount(self) -> None:
        self._loop_thread = threading.get_ident()
        for view in self.views:
            self.bind(view.key, f"open_view('{view.name}')", description=view.title)
        self._unsubscribe.append(self.env.events.subscribe(self._on_event, ("job.", "alert", "activity")))
        for name in self.panes:
            self._wake[name] = asyncio.Event()
        first = next(iter(self.panes.values()))[1]
        first.focus_pane()
        # Draw the frame first; data arrives a moment later as each pane's loop makes its first load.
        self.call_after_refresh(self._start_loops)

    def _start_loops(self) -> None:
        for name, (controller, pane) in self.panes.items():
            self.run_worker(self._pane_loop(name, controller, pane), name=f"pane:{name}", group="panes")
        self.run_worker(self._activity_loop(), name="activity", group="panes")

    async def panes_ready(self) -> None:
        """Wait until every pane's own widgets are mounted (they arrive just after the first frame)."""
        for _, pane in self.panes.values():
            await pane.body_ready()

    async def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for controller, _ in self.panes.values():
            try:
                await controller.stop()
            except Exception:  # noqa: BLE001 - shutting down; nothing useful to do with it
                pass
        if self._on_exit:
            self._on_exit()

    # -- refresh loops --------------------------------------------------------------------------------------

    def _visible(self, pane: Pane) -> bool:
        return pane.display and pane.screen is self.screen

    async def _pane_loop(self, name: str, controller: PaneController, pane: Pane) -> None:
        wake = self._wake[name]
        # Started here rather than in on_mount so a slow start (a tmux client, priming psutil) never delays
        # the first frame or the other panes.
        try:
            await controller.start()
        except Exception as exc:  # noqa: BLE001
            pane.show_error(f"{type(exc).__name__}: {exc}")
        await pane.body_ready()
        while True:
            if self._visible(pane):
                try:
                    view = await controller.load()
                except Exception as exc:  # noqa: BLE001 - show it in the pane, keep the console alive
                    if not pane.is_attached:  # the console is closing: the store may already be gone
                        return
                    from loguru import logger

                    logger.exception("pane {} failed to load", name)
                    pane.show_error(f"{type(exc).__name__}: {exc}")
                else:
                    try:
                        pane.show(view)
                    except NoMatches:
                        if self._closing or pane._closing or not pane.is_attached:
                            return  # the console is closing and has removed the pane's body under the load
                        raise
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), timeout=controller.interval)
            except asyncio.TimeoutError:
                pass

    def refresh_pane(self, name: str) -> None:
        """Load a pane now instead of at its next tick (after an action changed its data)."""
        if name in self._wake:
            self._wake[name].set()

    async def _activity_loop(self) -> None:
        log = self.query_one(ActivityLog)
        while True:
            rows = await self.env.astore.query(
                "SELECT id, at, level, source, message FROM activity_log WHERE id > ? ORDER BY id LIMIT 200",
                (log.last_id,),
            )
            log.add_rows([tuple(r) for r in rows])
            await asyncio.sleep(2.0)

    # -- events from services (any thread) ------------------------------------------------------------------

    def on_any_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback`` on the console's loop, whichever thread we are called from."""
        if threading.get_ident() == self._loop_thread:
            self.call_later(callback, *args)
        else:
            self.call_from_thread(callback, *args)

    def _on_event(self, event: Any) -> None:
        if event.data.get("job") not in self._interactive_jobs:
            return
        if event.topic == "job.progress":
            self.on_any_thread(self._show_progress, event.data)
        elif event.topic == "job.started":
            self.on_any_thread(self._show_progress, {**event.data, "done": 0, "total": None, "message": "starting"})

    def _show_progress(self, data: dict[str, Any]) -> None:
        if data.get("job") not in self._interactive_jobs:
            return  # ended already: a late progress event must not bring the strip back
        if self._job_status is None:
            # No id: a strip being removed may still be in the DOM when the next job starts.
            self._job_status = JobStatus()
            self.mount(self._job_status, before=self.query_one(Footer))
        self._job_status.show(data)

    # -- jobs -----------------------------------------------------------------------------------------------

    def run_job_interactive(self, name: str, *, dry_run: bool = False, options: dict[str, Any] | None = None) -> None:
        """Run a job from a key or the palette: confirm if it changes data, show progress, notify the result."""
        from fleetdeck.services.jobs import get_job

        spec = get_job(name)
        if spec is None:
            self.notify(f"unknown job {name}", severity="error")
            return
        if spec.mutates and not dry_run:
            def answered(ok: bool | None) -> None:
                if ok:
                    self._start_job(name, dry_run=False, options=options)

            self.push_screen(ConfirmModal(f"Run {name}?", f"{spec.description}\n\nThis job changes data.",
                                          confirm_label="Run"), answered)
        else:
            self._start_job(name, dry_run=dry_run, options=options)

    def _start_job(self, name: str, *, dry_run: bool, options: dict[str, Any] | None) -> None:
        self._interactive_jobs.add(name)

        def work() -> None:
            from fleetdeck.services.errors import FleetdeckError

            try:
                outcome = self.env.run_job_blocking(name, dry_run=dry_run, options=options)
            except FleetdeckError as exc:
                self.call_from_thread(self._job_done, name, str(exc), "warning")
                return
            severity = "information" if outcome.status == "ok" else "error"
            self.call_from_thread(self._job_done, name, outcome.message, severity)

        self.run_worker(work, thread=True, name=f"job:{name}", group="jobs", exit_on_error=False)

    def _job_done(self, name: str, message: str, severity: str) -> None:
        self._interactive_jobs.discard(name)
        if not self._interactive_jobs and self._job_status is not None:
            self._job_status.remove()
            self._job_status = None
        self.notify(message, title=name, severity=severity, timeout=8)  # type: ignore[arg-type]
        for pane_name in self.panes:
            self.refresh_pane(pane_name)

    # -- actions --------------------------------------------------------------------------------------------

    def action_focus_pane(self, name: str) -> None:
        if name in self.panes:
            pane = self.panes[name][1]
            if not pane.display:
                self.action_zoom(restore=True)
            pane.focus_pane()

    def _focused_pane(self) -> Pane | None:
        node = self.focused
        while node is not None and not isinstance(node, Pane):
            node = node.parent  # type: ignore[assignment]
        return node

    def action_zoom(self, restore: bool = False) -> None:
        """Show only the focused pane (hidden panes stop refreshing); again to show all."""
        grid = self.query_one("#panes", Grid)
        zoomed = grid.has_class("zoomed")
        focused = self._focused_pane()
        if zoomed or restore:
            grid.remove_class("zoomed")
            for _, pane in self.panes.values():
                pane.display = True
        elif focused is not None:
            grid.add_class("zoomed")
            for _, pane in self.panes.values():
                pane.display = pane is focused
        for name in self.panes:
            self.refresh_pane(name)

    def action_open_view(self, name: str) -> None:
        for view in self.views:
            if view.name == name:
                self.push_screen(view.load()(self.env))
                return

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        from fleetdeck.widgets.help import HelpScreen

        self.push_screen(HelpScreen(self.help_markdown()))

    def help_markdown(self) -> str:
        lines = ["## Everywhere", "", "| key | action |", "|---|---|"]
        lines += ["| tab / shift+tab | move between panes |", "| 1-5 | jump to a pane |",
                  "| ^p | command palette: every job, view and pane |"]
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.description and binding.key not in "12345":
                lines.append(f"| {self._key_label(binding)} | {binding.description} |")
        for view in self.views:
            lines.append(f"| {view.key} | {view.title} view: {view.description} |")
        for _, pane in self.panes.values():
            bindings = [b for b in getattr(pane, "BINDINGS", []) if isinstance(b, Binding) and b.description]
            if not bindings:
                continue
            lines += ["", f"## {pane.pane_title} pane", "", "| key | action |", "|---|---|"]
            lines += [f"| {self._key_label(b)} | {b.description} |" for b in bindings]
        return "\n".join(lines)

    def _key_label(self, binding: Binding) -> str:
        """The keys as the Footer shows them (`^t`, `?`, `+`), each once: "plus,+" is one key to a person."""
        labels = [self.get_key_display(Binding(key.strip(), binding.action)) for key in binding.key.split(",")]
        return " / ".join(dict.fromkeys(labels))
