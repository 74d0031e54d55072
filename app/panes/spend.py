"""Controller of the spend pane."""

from __future__ import annotations

from dataclasses import dataclass

from .base import PaneController


@dataclass(frozen=True)
class SpendView:
    count: int


class SpendController(PaneController):
    name = "spend"
    title = "Spend"
    interval = 2.0

    async def load(self) -> SpendView:
        count = await self.env.astore.scalar("SELECT count(*) FROM api_calls")
        return SpendView(count=int(count or 0))
