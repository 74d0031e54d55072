"""The metrics pane."""

from __future__ import annotations

from typing import Any

from .pane import Pane


class MetricsPane(Pane):
    pane_name = "metrics"
    pane_title = "Metrics"
    empty_text = "no metrics sampled yet"

    def show(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(self.empty_text)
