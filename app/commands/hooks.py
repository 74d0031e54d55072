"""`fleetdeck hooks install|uninstall`: Claude Code hooks that tell fleetdeck exactly what each agent is doing."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hooks", help="install or remove fleetdeck's Claude Code hooks (exact session states)")
    p.add_argument("what", choices=("install", "uninstall"))
    p.add_argument("--settings", help="settings.json to edit (default: $CLAUDE_CONFIG_DIR/settings.json, else "
                                      "~/.claude/settings.json)")
    p.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from pathlib import Path

    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import CantCreateError
    from fleetdeck.services.health import hooks
    from fleetdeck.services.health.hookevents import HookEvents

    settings = Path(args.settings).expanduser() if args.settings else hooks.default_settings_path()
    try:
        out = (hooks.install(settings, HookEvents.default_path(ctx.paths), dry_run=args.dry_run)
               if args.what == "install" else hooks.uninstall(settings, dry_run=args.dry_run))
    except OSError as exc:  # reading is checked by the service; this is its folder or file refusing the write
        culprit = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(settings) else ""
        raise CantCreateError(f"cannot write {settings}: {exc.strerror or exc}{culprit}") from None
    if args.what == "install":
        changed = out["added"]
        line = (f"{'would add' if args.dry_run else 'added'} hooks for {', '.join(changed)} in {settings}"
                if changed else f"hooks already installed in {settings}")
    else:
        changed = out["removed"]
        line = (f"{'would remove' if args.dry_run else 'removed'} fleetdeck hooks for {', '.join(changed)} from {settings}"
                if changed else f"no fleetdeck hooks in {settings}")
    if out.get("backup"):
        line += f" (backup: {out['backup']})"
    if args.json:
        print_json(out)
    else:
        print(line)
    return 0
