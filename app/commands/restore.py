"""`fleetdeck restore BACKUP [--to PATH] [--force] [--only PATH]`: verify a backup, then put it back.

A database backup goes back into a database file; a project-data archive (`fleetdeck run archive-projects`)
gives its files back, never over existing files with other content.
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="verify a database backup or project-data archive and restore it",
                       description="BACKUP is an id from `fleetdeck backup list`, a file name in the backup "
                                   "folder, or a path. Without --to it goes back where it came from. A "
                                   "project-data archive restores its files (under --to DIR if given) and "
                                   "never overwrites a file that differs.")
    p.add_argument("backup", help="backup id, file name or path")
    p.add_argument("--to", metavar="PATH", help="restore to this database file (or, for project data, below "
                                                "this folder) instead")
    p.add_argument("--force", action="store_true", help="overwrite an existing (possibly live) database")
    p.add_argument("--only", metavar="PATH",
                   help="project data: restore only this original path (a folder or a file)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=restore_command)


def restore_command(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import datetime as dt

    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import UsageError
    from fleetdeck.services.maintenance.backup import PROJECT_SOURCE, backup_dir
    from fleetdeck.services.maintenance.projectrestore import is_project_archive
    from fleetdeck.services.maintenance.restore import find_backup, resolve, restore

    folder = backup_dir(ctx.config)
    path, row = find_backup(ctx.store, folder, args.backup)
    if (row["source"] == PROJECT_SOURCE) if row is not None else is_project_archive(path):
        if args.force:
            raise UsageError("--force is for databases: project data is never restored over existing files "
                             "(restore elsewhere with --to DIR)")
        return _restore_files(args, path, row["sha256"] if row is not None else None)
    if args.only:
        raise UsageError("--only is for project-data archives")
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


def _restore_files(args: argparse.Namespace, path, sha256: str | None) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.maintenance.projectrestore import restore_files

    result = restore_files(path, sha256=sha256, to=args.to, only=args.only)
    if args.json:
        print_json(result.as_json(), stream=sys.stdout)
    else:
        extra = f", {result.already_there} already there" if result.already_there else ""
        print(f"restored {result.written} file(s) from {path} under {result.root}{extra}")
    return 0
