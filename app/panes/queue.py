"""Controller of the queue pane."""

from __future__ import annotations

from dataclasses import dataclass

from .base import PaneController


@dataclass(frozen=True)
class QueueView:
    count: int


class QueueController(PaneController):
    name = "queue"
    title = "Queue"
    interval = 2.0

    async def load(self) -> QueueView:
        count = await self.env.astore.scalar("SELECT count(*) FROM prompts WHERE status IN ('pending','assigning','running')")
        return QueueView(count=int(count or 0))
