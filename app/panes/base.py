"""Pane controllers: the app-layer half of a pane.

A controller loads the pane's view model from services (``load``) and performs the pane's actions; the widget
half (``widgets/<pane>.py``) only renders what it is given and calls its controller for actions. The console
calls ``load`` on a self-pacing loop: the next load starts ``interval`` seconds after the last one finished,
and only while the pane is visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from fleetdeck.app.console_env import ConsoleEnv


class PaneController:
    name: ClassVar[str] = "pane"
    title: ClassVar[str] = "Pane"
    interval: ClassVar[float] = 2.0  # seconds between loads while visible

    def __init__(self, env: "ConsoleEnv") -> None:
        self.env = env

    async def start(self) -> None:
        """Called once when the console starts (open clients, start background services)."""

    async def stop(self) -> None:
        """Called once when the console exits."""

    async def load(self) -> Any:
        """Return the pane's view model (plain data: dataclasses, lists, numbers)."""
        raise NotImplementedError
