"""`fleetdeck config show|init`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show the effective configuration or write a commented config file")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="print every setting with its value and where it came from")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_config)
    init = csub.add_parser("init", help="write a commented config file with every default")
    init.add_argument("--force", action="store_true", help="replace an existing file (the old one is kept beside it)")
    init.add_argument("--dry-run", action="store_true", help="say what would be written, write nothing")
    init.set_defaults(handler=init_config)
    paths = csub.add_parser("paths", help="print where fleetdeck keeps its files")
    paths.add_argument("--json", action="store_true", help="print JSON")
    paths.set_defaults(handler=show_paths)


def show_config(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.config import toml_value

    config = ctx.config
    rows = [
        (f"{section}.{key}", "«secret»" if secret and value else value, source)
        for section, key, value, source, secret in config.rows()
    ]
    if args.json:
        print_json({
            "file": str(config.paths.config_file),
            "file_loaded": config.file_loaded,
            "settings": [{"key": k, "value": v, "source": s} for k, v, s in rows],
        })
        return 0
    state = "loaded" if config.file_loaded else "not present, defaults in use"
    print(f"# config file: {config.paths.config_file} ({state})")
    shown = [(k, v if isinstance(v, str) else toml_value(v), s) for k, v, s in rows]
    cut = any(len(v) > MAX_VALUE for _, v, _ in shown)
    # One long value (the router's tier table) would pad every line of the table to its width.
    print_table([(k, v if len(v) <= MAX_VALUE else v[: MAX_VALUE - 1] + "…", s) for k, v, s in shown],
                ("KEY", "VALUE", "SOURCE"), align="lll")
    if cut:
        print("(values cut at … are shown whole by `fleetdeck config show --json`)")
    return 0


MAX_VALUE = 60  # characters of a value in the table


def init_config(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import os
    import shutil
    import time
    from pathlib import Path

    from fleetdeck.services.config import discover_sections, render_template
    from fleetdeck.services.errors import CantCreateError, UsageError

    # A config.toml linked from a dotfiles repository is written where the link points, the link kept.
    path = Path(os.path.realpath(ctx.paths.config_file))
    exists = path.exists()
    if exists and not args.force:
        raise UsageError(f"{path} already exists (use --force to replace it; the old one is kept beside it)")
    # The user's settings are not lost to --force: the old file stays beside the new one.
    kept = path.with_name(f"{path.name}.before-init-{time.strftime('%Y%m%dT%H%M%S')}") if exists else None
    if args.dry_run:
        print(f"would write {path}" + (f", keeping the old one as {kept}" if kept else "") + "; nothing written")
        return 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if kept is not None:
            shutil.copy2(path, kept)
            os.chmod(kept, 0o600)
        tmp = path.with_suffix(".toml.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(render_template(discover_sections()))
        os.replace(tmp, path)
    except OSError as exc:
        raise CantCreateError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"wrote {path}" + (f" (the old one is kept as {kept})" if kept else ""))
    return 0


def show_paths(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json

    p = ctx.paths
    data = {"config_file": str(p.config_file), "data_dir": str(p.data_dir), "database": str(p.db_file),
            "state_dir": str(p.state_dir), "log_file": str(p.log_file)}
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key:12} {value}")
    return 0
