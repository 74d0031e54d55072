"""The queue pane."""

from __future__ import annotations

from typing import Any

from .pane import Pane


class QueuePane(Pane):
    pane_name = "queue"
    pane_title = "Queue"
    empty_text = "queue empty — press a to add a prompt"

    def show(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(self.empty_text if not view.count else "{n} prompts pending or running".format(n=view.count))
