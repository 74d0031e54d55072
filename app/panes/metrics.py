"""Controller of the metrics pane."""

from __future__ import annotations

from dataclasses import dataclass

from .base import PaneController


@dataclass(frozen=True)
class MetricsView:
    count: int


class MetricsController(PaneController):
    name = "metrics"
    title = "Metrics"
    interval = 2.0

    async def load(self) -> MetricsView:
        return MetricsView(count=0)
