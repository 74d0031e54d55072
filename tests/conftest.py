"""Fixtures every test can use: a private FLEETDECK_HOME, a real store, config, and a private tmux server."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from fleetdeck.services.clock import FixedClock
from fleetdeck.services.config import Config, load_config
from fleetdeck.services.paths import Paths, resolve_paths
from fleetdeck.services.store import Store

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolate_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reads or writes the real user's fleetdeck files or transcripts, or inherits their tmux."""
    home = tmp_path_factory.mktemp("fleetdeck-home")
    monkeypatch.setenv("FLEETDECK_HOME", str(home))
    for var in list(os.environ):
        if var.startswith("FLEETDECK_") and var != "FLEETDECK_HOME":
            monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("TMUX", raising=False)
    # nor the user's agent transcripts (`fleetdeck report` and `ingest` read them by default)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / "no-claude"))
    monkeypatch.setenv("CODEX_HOME", str(home / "no-codex"))
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def fleet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh FLEETDECK_HOME for this test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FLEETDECK_HOME", str(home))
    return home


@pytest.fixture
def paths(fleet_home: Path) -> Paths:
    return resolve_paths().ensure()


@pytest.fixture
def config(paths: Paths) -> Config:
    return load_config(paths)


@pytest.fixture
def store(paths: Paths) -> Iterator[Store]:
    s = Store.open(paths.db_file)
    yield s
    s.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def tmux_socket() -> Iterator[str]:
    """A unique tmux socket name (tmux -L NAME); the server on it is killed and its socket file removed after."""
    from fleetdeck.services.tmux.server import kill_server

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    name = f"fdtest-{uuid.uuid4().hex[:10]}"
    yield name
    kill_server(name)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository")
    return SHARED
