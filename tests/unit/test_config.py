"""Configuration: defaults declared beside the code, a TOML file, env overrides, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleetdeck.services.config import discover_sections, load_config, render_template
from fleetdeck.services.errors import ConfigError
from fleetdeck.services.exitcodes import ExitCode
from fleetdeck.services.paths import resolve_paths


def write_config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_when_there_is_no_file(fleet_home: Path) -> None:
    config = load_config()
    assert config.file_loaded is False
    assert config.get("general", "timezone") == "UTC"
    assert config.source("general", "timezone") == "default"


def test_the_file_overrides_defaults_and_remembers_where_values_came_from(fleet_home: Path) -> None:
    path = write_config(fleet_home, '[general]\ntimezone = "Europe/Paris"\n')
    config = load_config()
    assert config.get("general", "timezone") == "Europe/Paris"
    assert config.source("general", "timezone") == f"file:{path}"


def test_environment_overrides_the_file(fleet_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(fleet_home, '[tmux]\npoll_interval = 3.0\n')
    monkeypatch.setenv("FLEETDECK_TMUX_POLL_INTERVAL", "0.5")
    monkeypatch.setenv("FLEETDECK_TMUX_SOCKETS", "default, work")
    config = load_config()
    assert config.get("tmux", "poll_interval") == 0.5
    assert config.get("tmux", "sockets") == ["default", "work"]
    assert config.source("tmux", "poll_interval") == "env:FLEETDECK_TMUX_POLL_INTERVAL"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[general]\ntimezone = "Mars/Olympus"\n', "general.timezone: unknown timezone"),
        ('[general]\nlog_rotation_mb = "big"\n', "general.log_rotation_mb: expected an int"),
        ('[general]\ncolour = "blue"\n', "general.colour: unknown key"),
        ('[nonsense]\nx = 1\n', "[nonsense]: unknown section"),
        ('[general\n', "invalid TOML"),
        ('[schedule]\nstore-check = "every day"\n', "schedule.store-check"),
    ],
)
def test_invalid_config_names_the_file_the_key_and_the_problem(fleet_home: Path, text: str, expected: str) -> None:
    path = write_config(fleet_home, text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert str(path) in message
    assert expected in message
    assert "\n" not in message
    assert caught.value.exit_code == ExitCode.CONFIG


def test_a_bad_environment_value_is_reported_with_its_variable(fleet_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEETDECK_TMUX_POLL_INTERVAL", "fast")
    with pytest.raises(ConfigError, match=r"\$FLEETDECK_TMUX_POLL_INTERVAL"):
        load_config()


def test_the_commented_template_parses_and_changes_nothing(fleet_home: Path) -> None:
    text = render_template(discover_sections())
    write_config(fleet_home, text)
    config = load_config()
    assert config.file_loaded
    assert all(source == "default" for *_, source, _ in config.rows())
    assert "[general]" in text and "# timezone = \"UTC\"" in text


def test_fleetdeck_home_moves_every_path(fleet_home: Path) -> None:
    paths = resolve_paths()
    for path in (paths.config_file, paths.data_dir, paths.state_dir, paths.db_file, paths.log_file):
        assert fleet_home in path.parents


def test_xdg_directories_are_used_without_fleetdeck_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_STATE_HOME": str(tmp_path / "s")}
    paths = resolve_paths(env)
    assert paths.config_file == tmp_path / "c" / "fleetdeck" / "config.toml"
    assert paths.db_file == tmp_path / "d" / "fleetdeck" / "fleetdeck.db"
    assert paths.log_dir == tmp_path / "s" / "fleetdeck" / "logs"


def test_paths_are_absolute_whatever_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """cron runs jobs in $HOME: a relative FLEETDECK_HOME would be another folder there, and the XDG spec says a
    relative XDG_*_HOME is invalid and to be ignored."""
    monkeypatch.chdir(tmp_path)
    home = resolve_paths({"FLEETDECK_HOME": "fleet"})
    assert home.db_file == tmp_path / "fleet" / "data" / "fleetdeck.db"
    xdg = resolve_paths({"HOME": str(tmp_path / "me"), "XDG_DATA_HOME": "relative/data"})
    assert xdg.data_dir == tmp_path / "me" / ".local" / "share" / "fleetdeck"
