"""`fleetdeck restore BACKUP [--to PATH] [--force]`: verify a database backup, then put it in place."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="verify a database backup and restore it",
                       description="BACKUP is an id from `fleetdeck backup list`, a file name in the backup "
                                   "folder, or a path. Without --to it goes back where it came from.")
    p.add_argument("backup", help="backup id, file name or path")
    p.add_argument("--to", metavar="PATH", help="restore to this database file instead")
    p.add_argument("--force", action="store_true", help="overwrite an existing (possibly live) database")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=restore_command)


def restore_command(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import datetime as dt

    from fleetdeck.app.output import print_json
    from fleetdeck.services.maintenance.backup import backup_dir
    from fleetdeck.services.maintenance.restore import resolve, restore

    folder = backup_dir(ctx.config)
    plan = resolve(ctx.store, folder, args.backup, args.to)
    if plan.target.resolve() == ctx.store.path.resolve():
        ctx.close()  # our own connection must not hold the database we are about to replace
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    safety = restore(plan, force=args.force, safety_dir=folder, stamp=stamp)
    result = {"backup": str(plan.backup), "restored_to": str(plan.target),
              "safety_copy": str(safety) if safety else None}
    if args.json:
        print_json(result, stream=sys.stdout)
    else:
        print(f"restored {plan.backup} to {plan.target}" + (f" (previous copy kept at {safety})" if safety else ""))
    return 0
