"""Controller of the sessions pane."""

from __future__ import annotations

from dataclasses import dataclass

from .base import PaneController


@dataclass(frozen=True)
class SessionsView:
    count: int


class SessionsController(PaneController):
    name = "sessions"
    title = "Sessions"
    interval = 2.0

    async def load(self) -> SessionsView:
        count = await self.env.astore.scalar("SELECT count(*) FROM sessions WHERE gone_at IS NULL")
        return SessionsView(count=int(count or 0))
