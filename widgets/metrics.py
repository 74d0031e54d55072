"""The metrics pane: host gauges with sparklines, per-core CPU, per-session usage, API latency by model.

The pane is visible most of the day, so it is built to cost little while it is: the host gauges (label, value
and sparkline per line, plus the per-core line) are ONE line-rendering widget instead of four widgets a line —
every layout pass of the console (other panes trigger them) arranges and paints each widget, so their number
is what the pane costs there — and a refresh repaints only the lines whose content changed, never a layout
unless the number of lines did. Tables are only touched when their rows changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.renderables._blend_colors import blend_colors
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable

from .live_table import LiveTable
from .pane import Pane
from .table_sync import sync_rows

LABEL_WIDTH = 10
VALUE_WIDTH = 21

GaugeLine = tuple[str, str, tuple[float, ...]]  # label, value, history (oldest first)


class _Palette(NamedTuple):
    base: Style
    value: Style
    cores: Style
    low: Any  # rich colours at the two ends of the sparkline blend
    high: Any


class HostGauges(Widget):
    """Host gauges, one per line: name, current value and a sparkline of its recent history (bucket maxima,
    coloured from the minimum to the maximum colour like Textual's Sparkline); then a muted per-core line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "host-gauges--value", "host-gauges--cores", "host-gauges--spark-min", "host-gauges--spark-max",
    }

    DEFAULT_CSS = """
    HostGauges { height: 1; }
    HostGauges.-unsampled { color: $text-muted; }
    HostGauges > .host-gauges--cores { color: $text-muted; }
    HostGauges > .host-gauges--spark-max { color: $primary; }
    HostGauges > .host-gauges--spark-min { color: $primary 30%; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(classes="-unsampled", **kwargs)
        self.lines: list[GaugeLine] = []
        self.cores = ""
        self._strips: dict[int, tuple[Any, Strip]] = {}  # y -> (what it was drawn from, the strip)
        self._palette: _Palette | None = None

    @property
    def labels(self) -> list[str]:
        return [label for label, _, _ in self.lines]

    def _rows(self) -> list[Any]:
        return [*self.lines, self.cores] if self.cores else list(self.lines)

    def set_lines(self, lines: Sequence[GaugeLine], cores: str = "") -> None:
        """Show ``lines`` and the per-core text; repaints the lines that changed only."""
        before = self._rows()
        self.lines, self.cores = list(lines), cores
        after = self._rows()
        if len(after) != len(before):
            self.remove_class("-unsampled")
            self.styles.height = max(1, len(after))  # the only case that needs a layout pass
            self._strips.clear()
            self.refresh()
            return
        width = self.size.width
        for y, (old, new) in enumerate(zip(before, after)):
            if old != new:
                self.refresh(Region(0, y, width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a theme or CSS change recolours every line
        self._palette = None

    def _styles(self) -> _Palette:
        """The line styles, worked out once per style change: each lookup walks every ancestor's styles, and
        the gauges repaint several lines every two seconds."""
        if self._palette is None:
            base = self.rich_style
            _, background = self.background_colors
            self._palette = _Palette(
                base=base,
                value=base + self.get_component_rich_style("host-gauges--value", partial=True),
                cores=base + self.get_component_rich_style("host-gauges--cores", partial=True),
                low=(background + self.get_component_styles("host-gauges--spark-min").color).rich_color,
                high=(background + self.get_component_styles("host-gauges--spark-max").color).rich_color,
            )
        return self._palette

    def render(self) -> str:
        return ""  # what the line API falls back to before the first sample

    def render_line(self, y: int) -> Strip:
        rows = self._rows()
        width = self.size.width
        if y >= len(rows) or width <= 0:
            return super().render_line(y)  # before the first sample: a blank line, drawn as Textual draws one
        source = (rows[y], width)
        cached = self._strips.get(y)
        if cached is not None and cached[0] == source:
            return cached[1]
        palette = self._styles()
        base = palette.base
        if isinstance(rows[y], str):
            segments = [Segment(rows[y], palette.cores)]
        else:
            label, value, history = rows[y]
            segments = [Segment(label[:LABEL_WIDTH - 1].ljust(LABEL_WIDTH), base),
                        Segment(value[:VALUE_WIDTH - 1].ljust(VALUE_WIDTH), palette.value)]
            segments += self._spark(history, width - LABEL_WIDTH - VALUE_WIDTH, palette)
        strip = Strip(segments).adjust_cell_length(width, base)
        self._strips[y] = (source, strip)
        return strip

    def _spark(self, history: tuple[float, ...], width: int, palette: _Palette) -> list[Segment]:
        """Textual's sparkline (same buckets, bars and colour blend) as segments, with one Style per colour."""
        if width <= 0:
            return []
        base, low, high = palette.base, palette.low, palette.high
        if len(history) < 2:
            bar, colour = ("▁", low) if not history else ("█", high)
            return [Segment(bar * width, base + Style.from_color(colour))]
        minimum, maximum = min(history), max(history)
        extent = maximum - minimum or 1
        buckets = tuple(SparklineRenderable._buckets(list(history), num_buckets=width))
        bars = SparklineRenderable.BARS
        styles: dict[Any, Style] = {}
        segments = []
        step, index = len(buckets) / width, 0.0
        for _ in range(width):
            ratio = (max(buckets[int(index)]) - minimum) / extent
            colour = blend_colors(low, high, ratio)
            style = styles.get(colour.triplet)
            if style is None:
                style = styles[colour.triplet] = base + Style.from_color(colour)
            segments.append(Segment(bars[int(ratio * (len(bars) - 1))], style))
            index += step
        return segments


class MetricsPane(Pane):
    pane_name = "metrics"
    pane_title = "Metrics"
    empty_text = "no metrics sampled yet"

    BINDINGS = [
        Binding("l", "toggle_latency", "Latency table"),
    ]

    DEFAULT_CSS = """
    MetricsPane #metrics-sessions { height: 1fr; min-height: 3; }
    MetricsPane #metrics-latency { height: auto; max-height: 8; }
    """

    _latency_hidden = False
    _shown_sessions: Any = None
    _shown_latency: Any = None

    def compose_body(self) -> ComposeResult:
        yield HostGauges(id="metrics-host")
        sessions = LiveTable(id="metrics-sessions", cursor_type="row", zebra_stripes=True)
        sessions.add_columns("session", "state", "CPU", "RSS", "uptime 24h", "restarts")
        yield sessions
        latency = LiveTable(id="metrics-latency", cursor_type="row")
        latency.add_columns("model", "calls", "p50", "p95")
        yield latency

    def update_view(self, view: Any) -> None:
        if not self.loaded:
            self.set_empty(None)
        self.loaded = True
        self.query_one(HostGauges).set_lines(
            [(line.label, line.value, line.history) for line in view.host],
            f"cores {view.cores}" if view.cores else "")
        # Session figures change every few seconds, latency every quarter minute: skip tables that did not.
        if view.sessions != self._shown_sessions:
            self._shown_sessions = view.sessions
            sync_rows(self.query_one("#metrics-sessions", DataTable), {
                s.key: (s.name, s.state, s.cpu, s.rss, s.uptime, str(s.restarts)) for s in view.sessions
            })
        if view.latency != self._shown_latency:
            self._shown_latency = view.latency
            latency = self.query_one("#metrics-latency", DataTable)
            sync_rows(latency, {r.model: (r.model, str(r.calls), r.p50, r.p95) for r in view.latency})
            wanted = bool(view.latency) and not self._latency_hidden  # an empty table only takes room
            if latency.display != wanted:
                latency.display = wanted

    def action_toggle_latency(self) -> None:
        self._latency_hidden = not self._latency_hidden
        table = self.query_one("#metrics-latency", DataTable)
        table.display = not self._latency_hidden and table.row_count > 0
