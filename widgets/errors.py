"""The errors pane."""

from __future__ import annotations

from typing import Any

from .pane import Pane


class ErrorsPane(Pane):
    pane_name = "errors"
    pane_title = "Errors"
    empty_text = "no errors collected yet"

    def show(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(self.empty_text)
