"""The help screen (`?`): what each key does, pane by pane."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, markdown: str) -> None:
        super().__init__(classes="modal")
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide", id="help"):
            yield Label("fleetdeck help", classes="dialog-title")
            with VerticalScroll():
                from textual.widgets import Markdown  # markdown-it is slow to import; only when help opens

                yield Markdown(self.markdown)

    def action_close(self) -> None:
        self.dismiss(None)
