"""Modal dialogs shared by every pane: confirm, text entry, and a read-only text viewer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmModal(ModalScreen[bool]):
    """Ask before doing something that changes data; Enter/y confirms, Esc/n cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, body: str = "", confirm_label: str = "Yes") -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.body_text = body
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.body_text:
                with VerticalScroll(classes="dialog-body"):
                    yield Static(self.body_text, markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, variant="warning", id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TextEntryModal(ModalScreen[str | None]):
    """Ask for text: one line (Enter submits) or several (Ctrl+S submits)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Submit", priority=True),
    ]

    def __init__(self, title: str, *, multiline: bool = False, initial: str = "", placeholder: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.multiline = multiline
        self.initial = initial
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.multiline:
                from textual.widgets import TextArea  # heavy; only multi-line entry needs it

                yield TextArea(self.initial, id="entry", soft_wrap=True, show_line_numbers=False)
                yield Label("Ctrl+S to submit, Esc to cancel", classes="dialog-hint")
            else:
                yield Input(self.initial, placeholder=self.placeholder, id="entry")

    def on_mount(self) -> None:
        self.query_one("#entry").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_submit(self) -> None:
        entry = self.query_one("#entry")
        value = entry.value if isinstance(entry, Input) else entry.text  # type: ignore[attr-defined]
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextViewModal(ModalScreen[None]):
    """Show a long text (a whole prompt, a stack trace, a diff) in a scrollable box."""

    BINDINGS = [Binding("escape,q,enter", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.text, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
