"""The console shell: panes, focus, help, the command palette and jobs run from it."""

from __future__ import annotations

from textual.widgets import DataTable

from fleetdeck.widgets.help import HelpScreen
from fleetdeck.widgets.pane import Pane


def pane_of(app) -> str | None:  # noqa: ANN001
    node = app.focused
    while node is not None and not isinstance(node, Pane):
        node = node.parent
    return node.pane_name if node is not None else None


async def test_the_shell_shows_five_panes_an_activity_log_and_the_footer(make_app) -> None:  # noqa: ANN001
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        await pilot.pause()
        names = [pane.pane_name for pane in app.query(Pane)]
        assert names == ["sessions", "queue", "spend", "errors", "metrics"]
        assert app.query_one("#activity")
        assert pane_of(app) == "sessions"


async def test_number_keys_and_tab_move_focus_between_panes(make_app) -> None:  # noqa: ANN001
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        await pilot.pause()
        await pilot.press("2")
        assert pane_of(app) == "queue"
        await pilot.press("4")
        assert pane_of(app) == "errors"
        await pilot.press("1")
        assert pane_of(app) == "sessions"
        await pilot.press("3")
        assert pane_of(app) == "spend"
        await pilot.press("1")
        assert pane_of(app) == "sessions", "a pane's own keys never take the digits that jump between panes"
        seen = {pane_of(app)}
        for _ in range(12):
            await pilot.press("tab")
            seen.add(pane_of(app))
        assert {"sessions", "queue", "spend", "errors", "metrics"} <= seen


async def test_question_mark_opens_help_listing_every_panes_keys(make_app) -> None:  # noqa: ANN001
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Sessions pane" in app.screen.markdown
        # keys as the Footer writes them, each once: the queue's "plus,+" binding is one key
        assert "| + | Priority up |" in app.screen.markdown and "| ? | Help |" in app.screen.markdown
        assert "plus" not in app.screen.markdown and "question_mark" not in app.screen.markdown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_store_check_runs_from_the_command_palette_and_notifies(make_app) -> None:  # noqa: ANN001
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"store-check")
        await pilot.pause(0.5)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.1)
            if any("store ok" in str(n.message) for n in app._notifications):
                break
        messages = [str(n.message) for n in app._notifications]
        assert any("store ok" in m for m in messages), messages


async def test_zoom_shows_only_the_focused_pane_and_again_restores_all(make_app) -> None:  # noqa: ANN001
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        await pilot.pause()
        await pilot.press("2", "z")
        assert [p.pane_name for p in app.query(Pane) if p.display] == ["queue"]
        await pilot.press("z")
        assert len([p for p in app.query(Pane) if p.display]) == 5


async def test_the_jobs_view_lists_jobs_and_recent_runs(make_app) -> None:  # noqa: ANN001
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause(0.5)
        table = app.screen.query_one("#jobs-table", DataTable)
        assert "store-check" in [key.value for key in table.rows]


async def test_the_jobs_view_shows_the_consoles_own_passes_as_the_last_run(make_app, store) -> None:  # noqa: ANN001
    from fleetdeck.services.jobrunner import last_runs

    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()
        for _ in range(100):  # the queue pane's assigner makes its first pass about 2 s after start
            await pilot.pause(0.1)
            if "assign" in last_runs(store):
                break
        await pilot.press("j")
        await pilot.pause(0.5)
        row = app.screen.query_one("#jobs-table", DataTable).get_row("assign")
        assert str(row[3]).endswith("(console pass)") and str(row[4]) == "ok", "not 'never' for a job the console runs"


async def test_the_console_groups_new_log_errors_without_a_daemon(make_app, config, tmp_path) -> None:  # noqa: ANN001
    log = tmp_path / "app.log"
    log.write_text("".join(f"2026-01-01 00:00:{i:02d} ERROR db: connection to 10.0.0.{i}:5432 timed out\n"
                           for i in range(5)))
    config.values["triage"]["log_globs"] = [str(log)]
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        table = app.query_one("#errors-table", DataTable)
        for _ in range(150):
            await pilot.pause(0.1)
            if table.row_count:
                break
        assert table.row_count == 1  # five lines, one signature


async def test_a_job_started_here_shows_its_progress_above_the_footer_until_it_ends(make_app) -> None:  # noqa: ANN001
    import threading

    from fleetdeck.app.console import JobStatus
    from fleetdeck.services.jobs import JobResult, job

    release = threading.Event()

    @job("test-progressing", description="reports progress, then waits to be released")
    async def progressing(ctx, progress) -> JobResult:  # noqa: ANN001
        progress(1, 4, "first of four")
        await __import__("asyncio").to_thread(release.wait, 10)
        return JobResult("all four done")

    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()
        assert not app.query(JobStatus)  # nothing runs: no strip (its bar would animate on a timer)
        app.run_job_interactive("test-progressing")
        for _ in range(300):  # up to 15 s: a loaded machine schedules the job's thread late
            await pilot.pause(0.05)
            if app.query(JobStatus) and "first of four" in str(app.query_one("#job-label").render()):
                break
        assert "test-progressing" in str(app.query_one("#job-label").render())
        release.set()
        told = False  # seen when it comes: a notification expires after 8 s, which a loaded machine can outlast
        for _ in range(300):
            await pilot.pause(0.05)
            told = told or any("all four done" in str(n.message) for n in app._notifications)
            if told and not app.query(JobStatus):
                break
        assert told
        assert not app.query(JobStatus)
