"""Install / uninstall fleetdeck's Claude Code hooks in a settings.json, never disturbing other hooks.

The file is backed up before the first change and written atomically; our entries are recognised by the
module name in their command, so installing twice changes nothing and uninstalling removes only ours.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import DataError

EVENTS = ("SessionStart", "UserPromptSubmit", "Stop", "PermissionRequest", "Notification", "PreCompact",
          "SessionEnd")
MARKER = "fleetdeck.services.health.hook_event"


def default_settings_path() -> Path:
    root = os.environ.get("CLAUDE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".claude")
    return Path(root) / "settings.json"


def hook_command(events_file: Path) -> str:
    return f"{shlex.quote(sys.executable)} -m {MARKER} {shlex.quote(str(events_file))}"


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: cannot read it as JSON ({exc}); left untouched") from None
    if not isinstance(data, dict) or not isinstance(data.get("hooks", {}), dict):
        raise DataError(f"{path}: expected a JSON object with a \"hooks\" object; left untouched")
    return data


def _ours(entry: Any) -> bool:
    return isinstance(entry, dict) and MARKER in str(entry.get("command", ""))


def _write(path: Path, data: dict[str, Any], *, backup: bool) -> Path | None:
    # A settings.json linked from a dotfiles repository is written where the link points: replacing the link by
    # a file would cut it off from the repository, which would keep the old settings.
    path = Path(os.path.realpath(path))
    saved = None
    if backup and path.exists():
        stem = f"{path.name}.fleetdeck-backup-{time.strftime('%Y%m%dT%H%M%S')}"
        saved, n = path.with_name(stem), 1
        while saved.exists():  # an install and an uninstall within a second: keep both backups
            n += 1
            saved = path.with_name(f"{stem}-{n}")
        saved.write_bytes(path.read_bytes())
        os.chmod(saved, path.stat().st_mode & 0o777)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".fleetdeck-tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if path.exists():
        os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return saved


def install(settings: Path, events_file: Path, *, dry_run: bool = False) -> dict[str, Any]:
    data = _load(settings)
    hooks = data.setdefault("hooks", {})
    command = hook_command(events_file)
    added = []
    for event in EVENTS:
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise DataError(f"{settings}: hooks.{event} is not a list; left untouched")
        if any(_ours(h) for g in groups if isinstance(g, dict) for h in g.get("hooks", []) or []):
            continue
        group: dict[str, Any] = {"hooks": [{"type": "command", "command": command, "timeout": 5}]}
        if event == "PermissionRequest":
            group = {"matcher": "*", **group}
        groups.append(group)
        added.append(event)
    backup = None
    if added and not dry_run:
        backup = _write(settings, data, backup=True)
    return {"settings": str(settings), "added": added, "backup": str(backup) if backup else None,
            "events_file": str(events_file), "dry_run": dry_run}


def uninstall(settings: Path, *, dry_run: bool = False) -> dict[str, Any]:
    data = _load(settings)
    hooks = data.get("hooks", {})
    removed = []
    for event in list(hooks):
        groups = hooks[event]
        if not isinstance(groups, list):
            continue
        kept = []
        for g in groups:
            if isinstance(g, dict) and isinstance(g.get("hooks"), list) and any(_ours(h) for h in g["hooks"]):
                rest = [h for h in g["hooks"] if not _ours(h)]
                removed.append(event)
                if rest:
                    kept.append({**g, "hooks": rest})
            else:
                kept.append(g)
        if kept:
            hooks[event] = kept
        else:
            del hooks[event]
    if "hooks" in data and not hooks:
        del data["hooks"]
    backup = None
    if removed and not dry_run:
        backup = _write(settings, data, backup=True)
    return {"settings": str(settings), "removed": sorted(set(removed)), "backup": str(backup) if backup else None,
            "dry_run": dry_run}
