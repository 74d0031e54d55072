"""Configuration: one TOML file, FLEETDECK_* environment overrides, defaults declared next to the code.

Each service area declares its own section in ``services/<area>/settings.py`` as ``SECTIONS = [Section(...)]``;
this module finds them, so adding a section never means editing a central schema. Every value remembers where
it came from (default, the file, or an environment variable) for ``fleetdeck config show``.

Errors name the file, the key and the problem on one line and exit 78.
"""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from .errors import ConfigError
from .paths import Paths, resolve_paths

Validator = Callable[[Any], "str | None"]

KINDS = ("str", "int", "float", "bool", "list", "table", "path")


# Setting and Section are NamedTuples and Config a plain class, not dataclasses: importing dataclasses costs every
# CLI start about 10 ms, and `fleetdeck ingest` / `report` with nothing to do should cost little more than Python.


class Setting(NamedTuple):
    key: str
    default: Any
    help: str
    kind: str = "str"
    validate: Validator | None = None
    secret: bool = False  # never printed by `config show`, never logged

    def check(self, value: Any) -> str | None:
        """Return the problem with ``value`` in words, or None when it is acceptable."""
        problem = _check_kind(self.kind, value)
        if problem is None and self.validate is not None:
            problem = self.validate(value)
        return problem


class Section(NamedTuple):
    name: str
    help: str
    settings: tuple[Setting, ...] = ()
    # An open section accepts keys it does not declare (job -> schedule, budget name -> table, ...);
    # open_validate checks each such value.
    open: bool = False
    open_validate: Validator | None = None

    def setting(self, key: str) -> Setting | None:
        for s in self.settings:
            if s.key == key:
                return s
        return None


def _check_kind(kind: str, value: Any) -> str | None:
    ok = {
        "str": isinstance(value, str),
        "path": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list),
        "table": isinstance(value, dict),
    }.get(kind, True)
    if ok:
        return None
    article = "an" if kind[0] in "aeiou" else "a"
    return f"expected {article} {kind}, got {type(value).__name__} {value!r}"


def discover_sections() -> list[Section]:
    """Every Section declared in a ``settings`` module of services or one of its subpackages."""
    from . import settings as core

    sections: list[Section] = list(core.SECTIONS)
    import fleetdeck.services as services_pkg

    for package in _subpackages(services_pkg.__path__):
        name = f"fleetdeck.services.{package}.settings"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        sections.extend(getattr(module, "SECTIONS", ()))
    return sections


def _subpackages(path: Iterable[str]) -> list[str]:
    """Names of the subpackages that have a settings module, in name order. A directory scan: pkgutil costs ~7 ms
    of imports, and importing a package only to find it has no settings (the store, say) costs more."""
    names: set[str] = set()
    for folder in path:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and os.path.exists(os.path.join(entry.path, "settings.py")):
                names.add(entry.name)
    if not names:  # not plain folders (a zipped install): ask the import system
        import pkgutil

        names = {info.name for p in path for info in pkgutil.iter_modules([p]) if info.ispkg}
    return sorted(names)


class Config:
    def __init__(self, paths: Paths, sections: dict[str, Section], values: dict[str, dict[str, Any]] | None = None,
                 sources: dict[str, dict[str, str]] | None = None, file_loaded: bool = False) -> None:
        self.paths = paths
        self.sections = sections
        self.values: dict[str, dict[str, Any]] = {} if values is None else values
        self.sources: dict[str, dict[str, str]] = {} if sources is None else sources
        self.file_loaded = file_loaded

    def __repr__(self) -> str:
        return f"Config(paths={self.paths!r}, sections={list(self.sections)!r}, file_loaded={self.file_loaded})"

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.values.get(section, {}).get(key, default)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values.get(name, {}))

    def source(self, section: str, key: str) -> str:
        return self.sources.get(section, {}).get(key, "default")

    def rows(self) -> Iterable[tuple[str, str, Any, str, bool]]:
        """(section, key, value, source, secret) for every effective value."""
        for name, section in self.sections.items():
            declared = {s.key: s for s in section.settings}
            for key, value in self.values.get(name, {}).items():
                secret = declared[key].secret if key in declared else _looks_secret(key)
                yield name, key, value, self.source(name, key), secret


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("token", "secret", "password", "api_key", "webhook"))


def load_config(paths: Paths | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    paths = paths or resolve_paths(env)
    sections = {s.name: s for s in discover_sections()}
    config = Config(paths=paths, sections=sections)
    for name, section in sections.items():
        config.values[name] = {s.key: _copy(s.default) for s in section.settings}
        config.sources[name] = {}

    file_data = _read_file(paths.config_file)
    if file_data is not None:
        config.file_loaded = True
        _apply_file(config, file_data, paths.config_file)
    _apply_env(config, env)
    return config


def _copy(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return _deep_copy(value)
    return value


def _deep_copy(value: Any) -> Any:
    """A copy of a default made of lists, dicts and scalars (json is not imported for it: most runs never
    need json, and its import is a measurable part of a `fleetdeck ingest` that finds nothing new)."""
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    return value


def _read_file(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    import tomllib  # ~15 ms of imports, only when there is a file to read

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _apply_file(config: Config, data: dict[str, Any], path: Path) -> None:
    for name, table in data.items():
        section = config.sections.get(name)
        if section is None:
            known = ", ".join(sorted(config.sections))
            raise ConfigError(f"{path}: [{name}]: unknown section (known: {known})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {name}: expected a [{name}] table")
        for key, value in table.items():
            _set(config, section, key, value, f"file:{path}", where=f"{path}: {name}.{key}")


def _set(config: Config, section: Section, key: str, value: Any, source: str, where: str) -> None:
    setting = section.setting(key)
    if setting is not None:
        problem = setting.check(value)
    elif section.open:
        problem = section.open_validate(value) if section.open_validate else None
    else:
        known = ", ".join(s.key for s in section.settings)
        raise ConfigError(f"{where}: unknown key (known: {known})")
    if problem:
        raise ConfigError(f"{where}: {problem}")
    config.values[section.name][key] = value
    config.sources[section.name][key] = source


def _apply_env(config: Config, env: Mapping[str, str]) -> None:
    """FLEETDECK_<SECTION>_<KEY>=value overrides the file; lists are comma-separated, tables JSON."""
    for section in config.sections.values():
        for setting in section.settings:
            var = f"FLEETDECK_{section.name}_{setting.key}".upper().replace("-", "_")
            if var not in env:
                continue
            value = _parse_env(setting.kind, env[var], var)
            _set(config, section, setting.key, value, f"env:{var}", where=f"${var}")


def _parse_env(kind: str, raw: str, var: str) -> Any:
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind == "list":
            return [part.strip() for part in raw.split(",") if part.strip()]
        if kind == "table":
            import json

            value = json.loads(raw)
            if not isinstance(value, dict):
                raise ValueError(raw)
            return value
    except ValueError:
        raise ConfigError(f"${var}: cannot read {raw!r} as {kind}") from None
    return raw


def toml_value(value: Any) -> str:
    """A TOML literal for a default value (strings, numbers, booleans, lists and inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if value is None:
        return '""'
    raise TypeError(f"no TOML form for {value!r}")


def _toml_key(key: str) -> str:
    import json

    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def render_template(sections: Iterable[Section]) -> str:
    """The commented file `fleetdeck config init` writes: every setting, commented out at its default."""
    lines = [
        "# fleetdeck configuration.",
        "# Every setting is shown commented out at its default; uncomment to change it.",
        "# Environment variables FLEETDECK_<SECTION>_<KEY> override this file.",
        "",
    ]
    for section in sections:
        lines.append(f"# {section.help}")
        lines.append(f"[{section.name}]")
        for s in section.settings:
            for help_line in s.help.splitlines():
                lines.append(f"# {help_line}")
            lines.append(f"# {s.key} = {toml_value(s.default)}")
        lines.append("")
    return "\n".join(lines)
