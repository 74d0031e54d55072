"""The metrics pane: host gauges with sparklines, per-core CPU, per-session usage, API latency by model."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Label, Sparkline

from .pane import Pane
from .table_sync import sync_rows


class FixedText(Widget):
    """A fixed-size line of text; changing it repaints without a layout pass (unlike Label.update)."""

    DEFAULT_CSS = "FixedText { height: 1; }"

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = text

    def render(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.refresh()


class HostRow(Horizontal):
    """One host gauge: name, current value, and its recent history."""

    DEFAULT_CSS = """
    HostRow { height: 1; }
    HostRow > .metric-label { width: 10; height: 1; }
    HostRow > .metric-value { width: 21; height: 1; }
    HostRow > Sparkline { width: 1fr; height: 1; }
    """

    def __init__(self, key: str, label: str) -> None:
        super().__init__(classes="metric-row")
        self.key = key
        self._label = label

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="metric-label")
        yield FixedText("", classes="metric-value")
        yield Sparkline([], summary_function=max)

    def set(self, value: str, history: tuple[float, ...]) -> None:
        self.query_one(".metric-value", FixedText).set_text(value)
        spark = self.query_one(Sparkline)
        if tuple(spark.data or ()) != history:
            spark.data = list(history)


class MetricsPane(Pane):
    pane_name = "metrics"
    pane_title = "Metrics"
    empty_text = "no metrics sampled yet"

    BINDINGS = [
        Binding("l", "toggle_latency", "Latency table"),
    ]

    DEFAULT_CSS = """
    MetricsPane #metrics-host { height: auto; }
    MetricsPane #metrics-cores { width: 1fr; color: $text-muted; }
    MetricsPane #metrics-sessions { height: 1fr; min-height: 3; }
    MetricsPane #metrics-latency { height: auto; max-height: 8; }
    """

    _latency_hidden = False

    def compose_body(self) -> ComposeResult:
        yield Vertical(id="metrics-host")
        yield FixedText("", id="metrics-cores")
        sessions = DataTable(id="metrics-sessions", cursor_type="row", zebra_stripes=True)
        sessions.add_columns("session", "state", "CPU", "RSS", "uptime 24h", "restarts")
        yield sessions
        latency = DataTable(id="metrics-latency", cursor_type="row")
        latency.add_columns("model", "calls", "p50", "p95")
        yield latency

    def show(self, view: Any) -> None:
        if not self.loaded:
            self.set_empty(None)
        self.loaded = True
        box = self.query_one("#metrics-host", Vertical)
        rows = {row.key: row for row in box.query(HostRow)}
        for line in view.host:
            row = rows.get(line.key)
            if row is None:
                row = HostRow(line.key, line.label)
                box.mount(row)
                # A freshly mounted row composes on the next tick; fill it then.
                self.call_after_refresh(row.set, line.value, line.history)
            else:
                row.set(line.value, line.history)
        self.query_one("#metrics-cores", FixedText).set_text(f"cores {view.cores}" if view.cores else "")
        sync_rows(self.query_one("#metrics-sessions", DataTable), {
            s.key: (s.name, s.state, s.cpu, s.rss, s.uptime, str(s.restarts)) for s in view.sessions
        })
        latency = self.query_one("#metrics-latency", DataTable)
        sync_rows(latency, {r.model: (r.model, str(r.calls), r.p50, r.p95) for r in view.latency})
        wanted = bool(view.latency) and not self._latency_hidden  # an empty table only takes room
        if latency.display != wanted:
            latency.display = wanted

    def action_toggle_latency(self) -> None:
        self._latency_hidden = not self._latency_hidden
        table = self.query_one("#metrics-latency", DataTable)
        table.display = not self._latency_hidden and table.row_count > 0
