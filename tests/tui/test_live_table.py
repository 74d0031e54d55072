"""LiveTable draws what a DataTable draws from scratch, through every kind of change a pane makes, while drawing
again only the cells that changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from fleetdeck.widgets.live_table import LiveTable
from fleetdeck.widgets.table_sync import sync_rows


class OneTable(App[None]):
    CSS = "LiveTable { width: 50; height: 12; }"

    def compose(self) -> ComposeResult:
        yield LiveTable(id="live", cursor_type="row", zebra_stripes=True)


def drawn(table: DataTable) -> list[list[tuple[str, object]]]:
    return [[(s.text, s.style) for s in table.render_line(y)] for y in range(table.size.height)]


def drawn_from_scratch(table: LiveTable) -> list[list[tuple[str, object]]]:
    """What the table draws with every cache emptied: the reference the kept cells must match."""
    table._clear_caches()
    return drawn(table)


def rows(n: int, context: str = "80%") -> dict[str, tuple]:
    return {f"s{i}": (f"agent-{i}", Text("working", style="bold green") if i % 3 else "idle", context, f"[t{i}]")
            for i in range(n)}


def one_context_changed(n: int) -> dict[str, tuple]:
    changed = rows(n)
    changed["s4"] = (*changed["s4"][:2], "41%", changed["s4"][3])
    return changed


async def test_a_live_table_draws_what_a_fresh_table_draws_after_every_change() -> None:
    app = OneTable()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(LiveTable)
        table.add_columns("name", "state", "ctx", "task")
        steps = [
            lambda: sync_rows(table, rows(12)),
            lambda: sync_rows(table, one_context_changed(12)),  # one cell
            lambda: sync_rows(table, rows(12, "79%")),  # a column
            lambda: sync_rows(table, rows(9)),  # rows removed
            lambda: sync_rows(table, rows(15)),  # rows added
            lambda: table.move_cursor(row=5),
            lambda: table.sort(list(table.columns)[2], key=str, reverse=True),
            lambda: table.blur(),
            lambda: table.focus(),
            lambda: setattr(app, "theme", "textual-light"),
            lambda: table.clear(),
            lambda: sync_rows(table, rows(3, "12%")),
        ]
        for number, step in enumerate(steps):
            step()
            await pilot.pause()
            kept = drawn(table)
            assert kept == drawn_from_scratch(table), f"step {number}"


async def test_changing_one_cell_draws_that_cell_again_and_keeps_the_others() -> None:
    app = OneTable()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(LiveTable)
        table.add_columns("name", "state", "ctx", "task")
        sync_rows(table, rows(10))
        await pilot.pause()
        drawn(table)
        before = {key: kept[2] for key, kept in table._kept.items()}
        sync_rows(table, one_context_changed(10))
        await pilot.pause()
        drawn(table)
        redrawn = [key for key, kept in table._kept.items() if before.get(key) is not kept[2]]
        ctx = list(table.columns)[2]
        assert [(row.value, column) for row, column in redrawn] == [("s4", ctx)]
