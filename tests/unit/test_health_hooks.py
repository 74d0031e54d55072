"""`fleetdeck hooks` edits settings.json safely, and hook events become session states."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleetdeck.services.errors import DataError
from fleetdeck.services.health import hooks
from fleetdeck.services.health.hookevents import HookEvents, socket_path

OTHER = {"type": "command", "command": "notify-send done"}


def test_install_is_idempotent_keeps_other_hooks_and_backs_up(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"model": "opus", "hooks": {"Stop": [{"hooks": [OTHER]}]}}))
    first = hooks.install(settings, tmp_path / "events.jsonl")
    assert set(first["added"]) == set(hooks.EVENTS) and Path(first["backup"]).exists()
    again = hooks.install(settings, tmp_path / "events.jsonl")
    assert again["added"] == [] and again["backup"] is None
    data = json.loads(settings.read_text())
    assert data["model"] == "opus" and data["hooks"]["Stop"][0]["hooks"] == [OTHER]
    assert len(data["hooks"]["Stop"]) == 2
    hooks.uninstall(settings)
    assert json.loads(settings.read_text()) == {"model": "opus", "hooks": {"Stop": [{"hooks": [OTHER]}]}}


def test_unreadable_settings_are_refused_and_left_untouched(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text("{not json")
    with pytest.raises(DataError, match="left untouched"):
        hooks.install(settings, tmp_path / "events.jsonl")
    assert settings.read_text() == "{not json"
    assert list(tmp_path.iterdir()) == [settings]


def test_the_hook_command_appends_events_that_the_reader_turns_into_states(tmp_path: Path) -> None:
    events = tmp_path / "hooks" / "events.jsonl"
    env = {**os.environ, "TMUX_PANE": "%7", "TMUX": "/tmp/tmux-1/fd,123,0"}
    for name in ("UserPromptSubmit", "PermissionRequest"):
        subprocess.run([sys.executable, "-m", hooks.MARKER, str(events)], input=json.dumps(
            {"hook_event_name": name, "session_id": "s1"}), text=True, env=env, check=True)
    with open(events, "a") as fh:
        fh.write('{"torn": \n')
    reader = HookEvents(events)
    latest = reader.latest()
    assert latest[("/tmp/tmux-1/fd", "%7")]["state"] == "permission"
    assert reader.torn == 1
    assert socket_path("/tmp/x/sock") == "/tmp/x/sock" and socket_path("fd").endswith("/fd")
