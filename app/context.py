"""What a CLI command needs, created only when first used so cheap commands stay cheap."""

from __future__ import annotations

import argparse
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fleetdeck.services.clock import Clock
    from fleetdeck.services.config import Config
    from fleetdeck.services.events import EventBus
    from fleetdeck.services.paths import Paths
    from fleetdeck.services.store import Store


class CliContext:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.debug: bool = bool(getattr(args, "debug", False))
        self._store: "Store | None" = None
        self._logging = False

    @cached_property
    def paths(self) -> "Paths":
        from fleetdeck.services.paths import resolve_paths

        return resolve_paths()

    @cached_property
    def config(self) -> "Config":
        from fleetdeck.services.config import load_config

        return load_config(self.paths)

    @cached_property
    def clock(self) -> "Clock":
        from fleetdeck.services.clock import SystemClock

        return SystemClock()

    @cached_property
    def events(self) -> "EventBus":
        from fleetdeck.services.events import EventBus

        return EventBus()

    @property
    def store(self) -> "Store":
        if self._store is None:
            from fleetdeck.services.store import Store

            config = self.config  # validate config before touching the data dir
            config.paths.ensure()
            self._store = Store.open(config.paths.db_file)
        return self._store

    def setup_logging(self) -> None:
        """Log to the file; warnings (everything with --debug) also to stderr."""
        if self._logging:
            return
        from fleetdeck.services.logsetup import setup_logging

        self.paths.ensure()
        setup_logging(self.config, stderr_level="DEBUG" if self.debug else "WARNING")
        self._logging = True

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
