"""Build the console on a real store in a private FLEETDECK_HOME, with a fixed clock."""

from __future__ import annotations

from typing import Callable

import pytest

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.services.clock import FixedClock
from fleetdeck.services.config import Config
from fleetdeck.services.events import EventBus
from fleetdeck.services.store.async_store import AsyncStore


@pytest.fixture
def make_app(config: Config, store) -> Callable[..., FleetdeckApp]:  # noqa: ANN001 - store: migrated first
    envs: list[ConsoleEnv] = []

    def build(clock: FixedClock | None = None) -> FleetdeckApp:
        astore = AsyncStore(config.paths.db_file).open_sync()
        env = ConsoleEnv(config=config, astore=astore, clock=clock or FixedClock(), events=EventBus())
        envs.append(env)
        return FleetdeckApp(env)

    yield build
    for env in envs:
        env.close()
        env.astore._executor.shutdown(wait=False)
