"""The base of the five console panes.

A pane renders the view model its controller loads (``show``) and never queries anything itself. It shows its
real empty state until there is data, never placeholder numbers.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


class Pane(Vertical):
    """A titled, focusable region of the console; subclasses add their own widgets in ``compose_body``."""

    DEFAULT_CLASSES = "pane"
    pane_name: str = "pane"
    pane_title: str = "Pane"
    empty_text: str = "nothing yet"

    def __init__(self, controller: Any = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id or self.pane_name)
        self.controller = controller
        self.border_title = self.pane_title
        self.loaded = False
        self._shown_text: dict[str, str | None] = {}

    def compose(self) -> ComposeResult:
        yield Static(self.empty_text, classes="pane-empty")
        yield from self.compose_body()

    def on_mount(self) -> None:
        # A pane with nothing focusable inside still takes part in Tab and number-key navigation.
        self.can_focus = not any(child.can_focus for child in self.query("*"))

    def compose_body(self) -> ComposeResult:
        return iter(())

    def set_text(self, selector: str, text: str) -> None:
        """Update a Static only when its text changes: every update re-lays out the whole console."""
        if self._shown_text.get(selector) == text:
            return
        self._shown_text[selector] = text
        self.query_one(selector, Static).update(text)

    def set_empty(self, text: str | None) -> None:
        """Show ``text`` as the empty/notice line, or hide it when None."""
        if self._shown_text.get(".pane-empty", "") == text:
            return
        self._shown_text[".pane-empty"] = text
        notice = self.query_one(".pane-empty", Static)
        if text is None:
            notice.display = False
        else:
            notice.update(text)
            notice.display = True

    def show(self, view: Any) -> None:
        """Render ``view`` (the controller's view model). Called on the console's event loop."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.set_empty(f"[b red]cannot load:[/] {message}")

    async def _refresh(self) -> None:
        """Reload this pane now (after an action changed its data)."""
        refresh = getattr(self.app, "refresh_pane", None)
        if refresh is not None:
            refresh(self.pane_name)
        elif self.controller is not None:
            self.show(await self.controller.load())

    async def _try(self, coro: Any, ok: str | None = None) -> Any:
        """Await a controller action: a refusal becomes a warning notice, success an optional notice + reload."""
        try:
            result = await coro
        except Exception as exc:  # noqa: BLE001 - a refused action is a notice, not a crash
            self.app.notify(str(exc), severity="warning")
            return None
        if ok:
            self.app.notify(ok.format(result=result))
        await self._refresh()
        return result

    def focus_pane(self) -> None:
        """Focus the pane's main widget (its table), or the pane itself."""
        for child in self.query("*"):
            if child.can_focus and child.display:
                child.focus()
                return
        self.focus()
