"""Controller of the spend pane: range (1/7/30 days), grouping, drill-down into one row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .base import PaneController

RANGES = (1, 7, 30)
GROUPS = ("model", "workflow", "project", "session")


@dataclass(frozen=True)
class SpendView:
    days: int
    group: str
    cost_micros: int
    previous_micros: int
    calls: int
    unknown_calls: int
    savings_micros: int
    tokens: dict[str, int]
    daily: list[int]
    rows: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    drill: dict[str, Any] | None = None
    failing_channels: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.calls

    @property
    def change_pct(self) -> float | None:
        if self.previous_micros <= 0:
            return None
        return 100.0 * (self.cost_micros - self.previous_micros) / self.previous_micros


class SpendController(PaneController):
    name = "spend"
    title = "Spend"
    interval = 10.0  # a 30-day range over a big store takes a moment; spend does not change by the second
    background_jobs = (("deliver-alerts", 10.0),)  # budget/spike checks and delivery while the console is open

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.days = 7
        self.group = "model"
        self.drill: str | None = None

    async def load(self) -> SpendView:
        from fleetdeck.services.alerts.pane_data import spend_overview

        tz = str(self.env.config.get("general", "timezone", "UTC"))
        data = await self.env.astore.call(spend_overview, now=self.env.clock.now(), tz=tz, days=self.days,
                                          group=self.group, drill=self.drill)
        t = data["totals"]
        return SpendView(
            days=self.days, group=self.group, cost_micros=t["cost_micros"],
            previous_micros=data["previous"]["cost_micros"], calls=t["calls"], unknown_calls=t["unknown_calls"],
            savings_micros=t["savings_micros"],
            tokens={k: t[k] for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")},
            daily=data["daily"], rows=data["rows"], sessions=data["sessions"], projects=data["projects"],
            drill=data["drill"], failing_channels=data["failing_channels"])

    def set_range(self, days: int) -> None:
        if days in RANGES:
            self.days = days

    def next_group(self) -> str:
        self.group = GROUPS[(GROUPS.index(self.group) + 1) % len(GROUPS)]
        self.drill = None
        return self.group

    def drill_into(self, name: str | None) -> None:
        self.drill = name
