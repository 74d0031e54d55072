"""The base of the five console panes.

A pane renders the view model its controller loads (``show``) and never queries anything itself. It says it is
loading until its first load, then shows its real empty state until there is data, never placeholder numbers.

A pane's own widgets (tables, sparklines) are mounted just after the console's first frame: the frame with every
pane's border and title appears at once, and the pane bodies fill in a moment later.
"""

from __future__ import annotations

import asyncio

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

LOADING = "loading…"


class PaneBody(Vertical):
    """Holds the widgets of its pane's ``compose_body`` (built when this is mounted) and says when they are."""

    def __init__(self, pane: Pane) -> None:
        super().__init__(classes="pane-body")
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield Static(LOADING, classes="pane-empty")  # until the first load: then the empty state or nothing
        yield from self.pane.compose_body()

    def on_mount(self) -> None:
        self.pane.body_mounted()


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
        self._body_ready = asyncio.Event()
        self._pending_view: Any = None

    def render(self) -> Text:
        # Drawn by the pane itself until its body is mounted: a widget less per pane in the first frame.
        return Text("" if self._body_ready.is_set() else LOADING, style="dim")

    def on_mount(self) -> None:
        # Focusable until the body arrives, so Tab and the number keys work from the first frame.
        self.can_focus = True
        # Mounted straight after the first refresh rather than through textual.lazy.Lazy: a placeholder widget
        # per pane would itself be styled and laid out within the first frame.
        self.call_after_refresh(self._mount_body)

    async def _mount_body(self) -> None:
        if self.is_attached:
            await self.mount(PaneBody(self))

    def body_mounted(self) -> None:
        # A pane with nothing focusable inside still takes part in Tab and number-key navigation.
        had_focus = self.has_focus
        self.can_focus = not any(child.can_focus for child in self.query("*"))
        self._body_ready.set()
        self.refresh()  # the body's own notice takes over from the text the pane drew
        if had_focus:
            self.focus_pane()
        pending, self._pending_view = self._pending_view, None
        if pending is not None:
            self.update_view(pending)

    async def body_ready(self) -> None:
        """Wait until the widgets of ``compose_body`` are mounted (``show`` needs them)."""
        await self._body_ready.wait()

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
        """Render ``view`` (the controller's view model) now, or as soon as the body is mounted."""
        if self._body_ready.is_set():
            self.update_view(view)
        else:
            self._pending_view = view

    def update_view(self, view: Any) -> None:
        """Render ``view`` into the body's widgets. Called on the console's event loop."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        if not self.is_attached:  # a load that failed because the console is closing
            return
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
