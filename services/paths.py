"""Where fleetdeck keeps its files.

XDG base directories by default; FLEETDECK_HOME overrides all of them (tests, the demo, portable installs):

    FLEETDECK_HOME/config.toml   the config file
    FLEETDECK_HOME/data/         the database, backups, dashboards, handoff notes, archives
    FLEETDECK_HOME/state/        logs, job locks, hook events
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, NamedTuple

from .errors import CantCreateError

APP = "fleetdeck"


class Paths(NamedTuple):  # a NamedTuple, not a dataclass: importing dataclasses costs every CLI start ~8 ms
    config_file: Path
    data_dir: Path
    state_dir: Path

    @property
    def db_file(self) -> Path:
        return self.data_dir / "fleetdeck.db"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "fleetdeck.log"

    @property
    def lock_dir(self) -> Path:
        return self.state_dir / "locks"

    def ensure(self) -> "Paths":
        """Create the data and state directories (owner-only), or fail with exit 73."""
        for directory in (self.data_dir, self.state_dir, self.log_dir, self.lock_dir):
            _make_dir(directory)
            if not os.access(directory, os.W_OK | os.X_OK):
                raise CantCreateError(f"cannot write to {directory}: permission denied")
        return self

    def ensure_lock_dir(self) -> Path:
        """The job-lock folder, created owner-only when missing, or exit 73: all a job's lock needs, without the
        other folders' checks (the nothing-new ingest before a report takes it too)."""
        _make_dir(self.lock_dir)
        return self.lock_dir


def _make_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CantCreateError(f"cannot create {directory}: {exc.strerror or exc}") from None


def resolve_paths(env: Mapping[str, str] | None = None) -> Paths:
    env = os.environ if env is None else env
    home = env.get("FLEETDECK_HOME")
    # Absolute paths: a relative one would mean another folder for every working directory (cron runs in $HOME).
    if home:
        root = Path(os.path.abspath(Path(home).expanduser()))
        config_file = _absolute(env["FLEETDECK_CONFIG"]) if env.get("FLEETDECK_CONFIG") else root / "config.toml"
        return Paths(config_file=config_file, data_dir=root / "data", state_dir=root / "state")
    user_home = Path(env.get("HOME") or Path.home())
    config_home = _xdg(env, "XDG_CONFIG_HOME") or user_home / ".config"
    data_home = _xdg(env, "XDG_DATA_HOME") or user_home / ".local" / "share"
    state_home = _xdg(env, "XDG_STATE_HOME") or user_home / ".local" / "state"
    config_file = _absolute(env["FLEETDECK_CONFIG"]) if env.get("FLEETDECK_CONFIG") else config_home / APP / "config.toml"
    return Paths(config_file=config_file, data_dir=data_home / APP, state_dir=state_home / APP)


def _absolute(path: str) -> Path:
    return Path(os.path.abspath(Path(path).expanduser()))


def _xdg(env: Mapping[str, str], name: str) -> Path | None:
    """An XDG base directory; the spec says a relative one is invalid and to be ignored."""
    value = env.get(name)
    return Path(value) if value and os.path.isabs(value) else None
