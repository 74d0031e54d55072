"""Tables show cell text as written and keep rows in step by key."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from fleetdeck.widgets.table_sync import sync_rows


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        table: DataTable = DataTable()
        table.add_columns("task", "project")
        yield table


async def test_cell_text_with_brackets_is_shown_literally_not_parsed_as_markup() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        sync_rows(table, {"1": ("fix [bold] parsing in [/] handler", "/src/[api]")})
        await pilot.pause()
        task, project = table.get_row("1")
        assert task.plain == "fix [bold] parsing in [/] handler" and not task.spans
        assert project == "/src/[api]"


async def test_rows_update_in_place_and_vanished_rows_go() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        sync_rows(table, {"1": ("first", "a"), "2": ("second", "b")})
        sync_rows(table, {"2": ("second, edited", "b")})
        await pilot.pause()
        assert [k.value for k in table.rows] == ["2"]
        assert table.get_row("2") == ["second, edited", "b"]


async def test_a_value_wider_than_its_column_widens_it_instead_of_being_cut() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        sync_rows(table, {"1": ("idle", "a")})
        await pilot.pause()
        narrow = table.columns[table.ordered_columns[0].key].content_width
        sync_rows(table, {"1": ("permission? (waiting 3m)", "a")})
        await pilot.pause()
        assert table.columns[table.ordered_columns[0].key].content_width == len("permission? (waiting 3m)") > narrow
        sync_rows(table, {"1": ("idle", "a")})
        await pilot.pause()
        assert table.columns[table.ordered_columns[0].key].content_width == len("permission? (waiting 3m)"), \
            "a narrower value leaves the layout as it is"
