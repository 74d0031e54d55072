"""The sessions pane."""

from __future__ import annotations

from typing import Any

from .pane import Pane


class SessionsPane(Pane):
    pane_name = "sessions"
    pane_title = "Sessions"
    empty_text = "no sessions yet — press n to start one"

    def show(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(self.empty_text if not view.count else "{n} sessions known; the live view arrives with session health".format(n=view.count))
