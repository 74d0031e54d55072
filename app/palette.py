"""Command palette entries: every job, every view, every pane, and the theme switch."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from fleetdeck.app.console import FleetdeckApp


class FleetdeckCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        from fleetdeck.services.jobs import all_jobs

        app: "FleetdeckApp" = self.app  # type: ignore[assignment]
        commands: list[tuple[str, str, object]] = []
        for spec in all_jobs():
            verb = "Run job (changes data)" if spec.mutates else "Run job"
            commands.append((f"{verb}: {spec.name}", spec.description, partial(app.run_job_interactive, spec.name)))
        for view in app.views:
            commands.append((f"Open view: {view.title}", view.description, partial(app.action_open_view, view.name)))
        for name, (_, pane) in app.panes.items():
            commands.append((f"Focus pane: {pane.pane_title}", f"move focus to the {name} pane",
                             partial(app.action_focus_pane, name)))
        commands.append(("Toggle light/dark theme", "switch between the light and dark theme", app.action_toggle_theme))
        commands.append(("Help", "keys and what they do", app.action_help))
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]
