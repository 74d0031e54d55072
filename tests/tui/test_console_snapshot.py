"""Snapshot of the console shell: the layout, pane frames and bodies before their first load, the activity log
and footer.

Pane loops are switched off so nothing live (host CPU, clocks) reaches the picture: every pane says it is loading.
Each pane's own snapshot covers its data.
"""

from __future__ import annotations

from pathlib import Path

import fleetdeck.app.console as console_module
from fleetdeck.app.console import FleetdeckApp


class ShellOnly(FleetdeckApp):
    CSS_PATH = str(Path(console_module.__file__).resolve().parent.parent / "styles" / "app.tcss")

    async def _pane_loop(self, name, controller, pane) -> None:  # noqa: ANN001
        return None

    async def _activity_loop(self) -> None:
        return None


def test_console_shell_snapshot(snap_compare, config, store) -> None:  # noqa: ANN001
    from fleetdeck.app.console_env import ConsoleEnv
    from fleetdeck.services.clock import FixedClock
    from fleetdeck.services.events import EventBus
    from fleetdeck.services.store.async_store import AsyncStore

    env = ConsoleEnv(config=config, astore=AsyncStore(config.paths.db_file).open_sync(), clock=FixedClock(),
                     events=EventBus())

    class Shell(ShellOnly):
        async def on_mount(self) -> None:  # Textual calls FleetdeckApp.on_mount after this one
            for controller, _ in self.panes.values():
                controller.start = _no_start  # type: ignore[method-assign]

    assert snap_compare(Shell(env), terminal_size=(140, 40))


async def _no_start() -> None:
    return None
