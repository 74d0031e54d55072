"""Snapshot of the spend pane rendering fixed figures (no store, no clock)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from fleetdeck.app.panes.spend import SpendView
from fleetdeck.widgets.spend import SpendPane

M = 1_000_000


def _row(name: str, calls: int, dollars: float) -> dict:
    return {"name": name, "calls": calls, "cost_micros": int(dollars * M), "unknown_calls": 0, "tokens": calls * 900}


VIEW = SpendView(
    days=7, group="model", cost_micros=int(48.20 * M), previous_micros=int(40.00 * M), calls=1234, unknown_calls=3,
    savings_micros=int(12.75 * M),
    tokens={"input_tokens": 812_000, "output_tokens": 190_500, "cache_read_tokens": 4_200_000,
            "cache_write_tokens": 12_000},
    daily=[int(v * M) for v in (2, 3, 1, 0, 4, 6, 5, 7, 3, 2, 8, 9, 4, 3, 5, 6, 7, 2, 1, 0, 3, 4, 6, 8, 9, 7, 5, 6, 8, 9)],
    rows=[_row("claude-opus-4-1", 210, 30.10), _row("claude-sonnet-4-5", 800, 15.40), _row("gpt-4o", 224, 2.70)],
    sessions=[_row("2b1f-api-refactor", 90, 12.00), _row("77aa-docs", 40, 4.10)],
    projects=[_row("/home/dev/src/api", 500, 30.00), _row("/home/dev/src/web", 300, 9.00)],
    drill={"name": "claude-opus-4-1", "daily": [int(v * M) for v in (0, 1, 2) * 10]},
    failing_channels=[{"channel": "telegram", "last_error": "telegram: HTTP 401 Unauthorized"}],
)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SpendPane(None)

    def on_mount(self) -> None:
        self.query_one(SpendPane).show(VIEW)


def test_spend_pane_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(PaneApp(), terminal_size=(120, 30))
