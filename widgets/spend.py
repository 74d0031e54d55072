"""The spend pane: totals vs the previous period, a daily sparkline, breakdown bars, top sessions/projects."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Sparkline, Static

from .live_table import LiveTable
from .pane import Pane
from .table_sync import selected_key, sync_rows

BAR_WIDTH = 20
RANGE_LABEL = {1: "today", 7: "7 days", 30: "30 days"}


def usd(micros: int | None) -> str:
    if micros is None:
        return "unknown"
    sign = "-" if micros < 0 else ""  # -$968, not $-968
    dollars = abs(micros) / 1_000_000
    return f"{sign}${dollars:,.0f}" if dollars >= 1000 else f"{sign}${dollars:,.2f}"


def bar(value: int, top: int) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = round(BAR_WIDTH * 8 * value / top)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def short_name(name: str, width: int = 28) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1):]


def cost_text(row: dict[str, Any]) -> str:
    """A breakdown row's cost; calls with no known price are never shown as $0."""
    unknown = row.get("unknown_calls") or 0
    if unknown and unknown >= row.get("calls", 0):
        return "unknown"
    return usd(row["cost_micros"]) + (" + ?" if unknown else "")


def path_tail(path: str, width: int = 20) -> str:
    """A project directory by its last components, whole, as many as fit: "…/projects/api", never a cut name."""
    if len(path) <= width:
        return path
    parts = path.rstrip("/").split("/")
    tail = parts[-1]
    for part in reversed(parts[:-1]):
        if len(part) + len(tail) + 3 > width:
            break
        tail = f"{part}/{tail}"
    return "…/" + tail if len(tail) + 2 <= width else short_name(tail, width)


class SpendPane(Pane):
    pane_name = "spend"
    pane_title = "Spend"
    empty_text = "no API calls logged yet — try `fleetdeck log sonnet my-workflow 1000 500`"

    BINDINGS = [
        # Letters, not 1/7/3: the digits 1-5 jump between panes everywhere, this pane included.
        Binding("t", "range(1)", "Today"),
        Binding("w", "range(7)", "7 days"),
        Binding("m", "range(30)", "30 days"),
        Binding("g", "group", "Group by"),
        Binding("enter", "drill", "Drill into row"),
        Binding("escape", "undrill", "Close drill-down", show=False),
    ]

    DEFAULT_CSS = """
    SpendPane #spend-summary { height: auto; }
    SpendPane #spend-spark { height: 2; margin: 0 1; }
    SpendPane #spend-breakdown { height: 1fr; min-height: 5; }
    SpendPane #spend-tops { height: 8; }
    SpendPane #spend-tops DataTable { width: 1fr; }
    SpendPane #spend-drill { height: auto; color: $text-muted; }
    SpendPane #spend-drill-spark { height: 2; margin: 0 1; }
    """

    def __init__(self, controller: Any = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(controller, id=id)
        self._group_shown: str | None = None
        self.view: Any = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="spend-summary")
        yield Sparkline([], id="spend-spark", summary_function=max)
        table: DataTable[Any] = LiveTable(id="spend-breakdown", cursor_type="row", zebra_stripes=True)
        yield table
        with Horizontal(id="spend-tops"):
            for key, label in (("sessions", "Top sessions"), ("projects", "Top projects")):
                top: DataTable[Any] = LiveTable(id=f"spend-{key}", cursor_type="row")
                top.add_column(label, key="name")
                top.add_column("Cost", key="cost")
                yield top
        yield Static("", id="spend-drill")
        yield Sparkline([], id="spend-drill-spark", summary_function=max)

    def _columns(self, group: str) -> None:
        table = self.query_one("#spend-breakdown", DataTable)
        if self._group_shown == group:
            return
        table.clear(columns=True)
        for key, label in (("name", group.capitalize()), ("calls", "Calls"), ("cost", "Cost"),
                           ("share", "Share"), ("bar", "")):
            table.add_column(label, key=key)
        self._group_shown = group

    def update_view(self, view: Any) -> None:
        self.loaded = True
        self.view = view
        self.set_empty(None if view.calls or view.daily and any(view.daily) else self.empty_text)
        change = view.change_pct
        change_text = "no spend in the previous period" if change is None else f"{change:+.0f}% vs previous"
        unknown = f"  ·  [yellow]{view.unknown_calls:,} calls with unknown price[/]" if view.unknown_calls else ""
        failing = "".join(f"\n[b red]alert channel {c['channel']} failing:[/] {c['last_error'] or ''}"
                          for c in view.failing_channels)
        tokens = view.tokens
        self.set_text("#spend-summary", 
            f"[b]{RANGE_LABEL.get(view.days, f'{view.days} days')}[/]: [b]{usd(view.cost_micros)}[/] "
            f"({change_text})  ·  {view.calls:,} calls  ·  saved {usd(view.savings_micros)} vs baseline{unknown}\n"
            f"tokens: {tokens['input_tokens']:,} in · {tokens['output_tokens']:,} out · "
            f"{tokens['cache_read_tokens']:,} cache read  ·  grouped by {view.group}  ·  daily, last 30 days:"
            f"{failing}")
        self.query_one("#spend-spark", Sparkline).data = [v / 1_000_000 for v in view.daily]
        self._columns(view.group)
        top = max((r["cost_micros"] for r in view.rows), default=0)
        total = view.cost_micros or 1
        name_of = path_tail if view.group == "project" else short_name
        sync_rows(self.query_one("#spend-breakdown", DataTable), {
            str(r["name"]): (name_of(str(r["name"]), 28), f"{r['calls']:,}", cost_text(r),
                             f"{100 * r['cost_micros'] / total:.0f}%", bar(r["cost_micros"], top))
            for r in view.rows})
        for key, name_of in (("sessions", short_name), ("projects", path_tail)):
            sync_rows(self.query_one(f"#spend-{key}", DataTable), {  # a half-pane column: about 20 characters
                str(r["name"]): (name_of(str(r["name"]), 20), cost_text(r))
                for r in getattr(view, key)})
        drill = view.drill
        self.set_text("#spend-drill",  # via set_text: an unchanged Static must not re-lay out the console
                      f"{view.group} [b]{drill['name']}[/]: daily cost, last 30 days (Esc closes)" if drill else "")
        spark = self.query_one("#spend-drill-spark", Sparkline)
        spark.display = bool(drill)
        spark.data = [v / 1_000_000 for v in drill["daily"]] if drill else []

    def _refresh(self) -> None:
        refresh = getattr(self.app, "refresh_pane", None)
        if refresh is not None:
            refresh(self.pane_name)

    def action_range(self, days: int) -> None:
        self.controller.set_range(days)
        self._refresh()

    def action_group(self) -> None:
        group = self.controller.next_group()
        self.app.notify(f"spend grouped by {group}")
        self._refresh()

    def action_drill(self) -> None:
        name = selected_key(self.query_one("#spend-breakdown", DataTable))
        if name is not None:
            self.controller.drill_into(name)
            self._refresh()

    def action_undrill(self) -> None:
        self.controller.drill_into(None)
        self._refresh()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "spend-breakdown":
            self.action_drill()
