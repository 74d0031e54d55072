"""The spend pane."""

from __future__ import annotations

from typing import Any

from .pane import Pane


class SpendPane(Pane):
    pane_name = "spend"
    pane_title = "Spend"
    empty_text = "no API calls logged yet — try `fleetdeck log sonnet my-workflow 1000 500`"

    def show(self, view: Any) -> None:
        self.loaded = True
        self.set_empty(self.empty_text if not view.count else "{n} API calls logged".format(n=view.count))
