"""The spend pane on fixed data: totals vs the previous period, breakdowns, range/grouping keys, drill-down."""

from __future__ import annotations

import time

from textual.widgets import DataTable, Sparkline, Static

from fleetdeck.services.clock import FixedClock
from fleetdeck.services.store import Store
from fleetdeck.widgets.spend import SpendPane
from tests.fakes.spend_rows import add_call

NOW = 1_767_268_800 + 10 * 86400  # 2026-01-11 12:00 UTC


def seed(store: Store) -> None:
    add_call(store, NOW - 3600, 3.00, model="claude-opus-4-1", workflow="review", session="sess-a",
             project="/src/api", baseline_usd=4.0)
    add_call(store, NOW - 2 * 86400, 1.00, model="claude-sonnet-4-5", workflow="docs", session="sess-b",
             project="/src/web", baseline_usd=1.0)
    add_call(store, NOW - 3 * 86400, None, model="mystery", workflow="docs", session="sess-b", project="/src/web")
    add_call(store, NOW - 9 * 86400, 2.00, model="claude-sonnet-4-5", workflow="review", session="sess-c")
    add_call(store, NOW - 4 * 86400, 0.5, model="claude-haiku-4-5", workflow="docs", session="sess-d",
             project="/home/dev/work/clients/acme-corp/projects/billing-service")


async def _until(pilot, check, timeout: float = 8.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the spend pane"
        await pilot.pause(0.05)


def summary(pane: SpendPane) -> str:
    return str(pane.query_one("#spend-summary", Static).render())


async def test_spend_pane_shows_totals_breakdowns_and_reacts_to_keys(make_app, store: Store) -> None:  # noqa: ANN001
    seed(store)
    app = make_app(FixedClock(NOW))
    async with app.run_test(size=(160, 45)) as pilot:
        await app.panes_ready()  # pane bodies mount just after the first frame
        pane = app.query_one(SpendPane)
        table = pane.query_one("#spend-breakdown", DataTable)
        await _until(pilot, lambda: table.row_count == 4)
        text = summary(pane)
        assert "7 days: $4.50" in text and "+125% vs previous" in text and "4 calls" in text
        assert "saved $1.00" in text and "1 calls with unknown price" in text
        assert table.get_row("claude-opus-4-1")[2:4] == ["$3.00", "67%"]
        assert [k.value for k in table.rows] == ["claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "mystery"]
        assert table.get_row("mystery")[2] == "unknown", "a model with no known price is never shown as $0"
        assert pane.query_one("#spend-sessions", DataTable).get_row("sess-b") == ["sess-b", "$1.00 + ?"]
        assert pane.query_one("#spend-sessions", DataTable).get_row("sess-a") == ["sess-a", "$3.00"]
        spark = pane.query_one("#spend-spark", Sparkline)
        assert len(spark.data) == 30 and spark.data[-1] == 3.0

        table.focus()
        await pilot.press("t")
        await _until(pilot, lambda: "today: $3.00" in summary(pane))
        await pilot.press("m")
        await _until(pilot, lambda: "30 days: $6.50" in summary(pane))
        await pilot.press("g")
        await _until(pilot, lambda: "review" in [k.value for k in table.rows])
        projects = pane.query_one("#spend-projects", DataTable)
        billing = "/home/dev/work/clients/acme-corp/projects/billing-service"
        assert projects.get_row(billing)[0] == "…/billing-service", "a long project path shows its last parts whole"
        assert table.get_row("review")[2] == "$5.00"
        table.move_cursor(row=0)
        await pilot.press("enter")
        drill = pane.query_one("#spend-drill-spark", Sparkline)
        await _until(pilot, lambda: drill.display and len(drill.data) == 30)
        assert drill.data[-1] == 3.0 and drill.data[-10] == 2.0
        await pilot.press("escape")
        await _until(pilot, lambda: not drill.display)
