"""Layering and start-up cost: services never pull in the UI, and cheap commands never load heavy SDKs."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import fleetdeck.services
from tests.helpers import run_python

HEAVY = ("textual", "anthropic", "openai")


def all_service_modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.walk_packages(fleetdeck.services.__path__, "fleetdeck.services.")
        if not info.name.endswith((".sim", ".__main__"))
    )


def test_importing_every_service_module_imports_no_ui() -> None:
    modules = all_service_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith(('fleetdeck.app', 'fleetdeck.widgets')))\n"
        "print(','.join(bad))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"services imported UI modules: {result.stdout.strip()}"


def test_service_sources_never_import_textual_widgets_or_app() -> None:
    root = Path(fleetdeck.services.__path__[0])
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("import textual", "from textual", "fleetdeck.widgets", "fleetdeck.app", "from ...app",
                       "from ..app", "from ...widgets", "from ..widgets"):
            if needle in text:
                offenders.append(f"{path.relative_to(root)}: {needle}")
    assert offenders == []


def _imported_after(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from fleetdeck.app.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.flush()\n"
        "print('\\nMODULES=' + ','.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    )
    result = run_python(code)
    line = [l for l in result.stderr.splitlines() if l.startswith("MODULES=")][-1]
    return set(line.removeprefix("MODULES=").split(","))


def test_help_imports_no_heavy_library() -> None:
    assert not _imported_after(["--help"]) & set(HEAVY)


def test_run_store_check_imports_no_heavy_library(fleet_home: Path) -> None:
    assert not _imported_after(["run", "store-check"]) & set(HEAVY)
