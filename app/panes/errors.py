"""Controller of the errors pane."""

from __future__ import annotations

from dataclasses import dataclass

from .base import PaneController


@dataclass(frozen=True)
class ErrorsView:
    count: int


class ErrorsController(PaneController):
    name = "errors"
    title = "Errors"
    interval = 2.0

    async def load(self) -> ErrorsView:
        return ErrorsView(count=0)
