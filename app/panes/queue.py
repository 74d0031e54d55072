"""Controller of the queue pane: loads the board, performs the pane's actions, and keeps the assigner running
while the console is open (the `assign` job every few seconds, under the same lock as cron and watch)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .base import PaneController


@dataclass(frozen=True)
class QueueView:
    items: list[dict[str, Any]] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.items)


class QueueController(PaneController):
    name = "queue"
    title = "Queue"
    interval = 2.0

    async def start(self) -> None:
        if self.env.config.get("queue", "console_assign", True):
            self.background_jobs = (("assign", 2.0),)
        await super().start()

    async def load(self) -> QueueView:
        from fleetdeck.services.queue.board import queue_board

        board = await self.env.astore.call(queue_board, self.env.clock.now())
        return QueueView(board["items"], board["depth"], board["summary"])

    async def add(self, text: str, *, priority: int = 0, project: str | None = None,
                  workflow: str | None = None) -> int:
        from fleetdeck.services.queue.prompts import NewPrompt, add_prompt

        new = NewPrompt(text=text, priority=priority, project_dir=project, workflow=workflow, source="console")
        return await self.env.astore.call(add_prompt, new, now=self.env.clock.now(),
                                          max_attempts=int(self.env.config.get("queue", "max_attempts", 3)))

    async def cancel(self, prompt_id: int) -> None:
        from fleetdeck.services.queue.prompts import cancel_prompt

        await self.env.astore.call(cancel_prompt, prompt_id, now=self.env.clock.now())

    async def bump(self, prompt_id: int, delta: int) -> int:
        from fleetdeck.services.queue.prompts import change_priority

        return await self.env.astore.call(change_priority, prompt_id, delta, now=self.env.clock.now())

    async def text(self, prompt_id: int) -> str:
        from fleetdeck.services.queue.board import prompt_text

        return await self.env.astore.call(prompt_text, prompt_id)

    async def dispatch(self, prompt_id: int) -> str:
        """Run the assigner for this one prompt now; returns its one-line result."""
        outcome = await asyncio.to_thread(self.env.run_job_blocking, "assign", options={"prompt": prompt_id})
        return outcome.message
