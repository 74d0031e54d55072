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
    p.add_argument("--dry-run", action="store_true",
                   help="verify the backup and say what would be restored where, writing nothing")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=restore_command)


def _live_store(ctx):  # noqa: ANN001, ANN202
    """The store, or None when the live database is damaged: restoring a backup over it is the way out, and the
    catalogue inside it cannot be read."""
    import sqlite3

    from fleetdeck.services.errors import FleetdeckError
    from fleetdeck.services.exitcodes import ExitCode
    from fleetdeck.services.maintenance.restore import damaged

    try:
        return ctx.store
    except (FleetdeckError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, FleetdeckError) and exc.exit_code != ExitCode.DATAERR:
            raise
        if damaged(ctx.paths.db_file) is None:
            raise
        return None


def restore_command(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import datetime as dt

    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import UsageError
    from fleetdeck.services.maintenance.backup import PROJECT_SOURCE, backup_dir
    from fleetdeck.services.maintenance.projectrestore import is_project_archive
    from fleetdeck.services.maintenance.restore import find_backup, resolve, restore

    folder = backup_dir(ctx.config)
    store = _live_store(ctx)
    path, row = find_backup(store, folder, args.backup)
    if (row["source"] == PROJECT_SOURCE) if row is not None else is_project_archive(path):
        if args.force:
            raise UsageError("--force is for databases: project data is never restored over existing files "
                             "(restore elsewhere with --to DIR)")
        return _restore_files(args, path, row["sha256"] if row is not None else None)
    if args.only:
        raise UsageError("--only is for project-data archives")
    plan = resolve(store, folder, args.backup, args.to, live=ctx.paths.db_file)
    if store is not None and not args.dry_run and plan.target.resolve() == store.path.resolve():
        ctx.close()  # our own connection must not hold the database we are about to replace
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    safety = restore(plan, force=args.force, safety_dir=folder, stamp=stamp, dry_run=args.dry_run)
    result = {"backup": str(plan.backup), "restored_to": str(plan.target),
              "safety_copy": str(safety) if safety else None, "dry_run": args.dry_run}
    if args.json:
        print_json(result, stream=sys.stdout)
    elif args.dry_run:
        print(f"would restore {plan.backup} (verified) to {plan.target}"
              + (f", keeping the previous copy at {safety}" if safety else "") + "; nothing written")
    else:
        print(f"restored {plan.backup} to {plan.target}" + (f" (previous copy kept at {safety})" if safety else ""))
    return 0


def _restore_files(args: argparse.Namespace, path, sha256: str | None) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.maintenance.projectrestore import restore_files

    result = restore_files(path, sha256=sha256, to=args.to, only=args.only, dry_run=args.dry_run)
    if args.json:
        print_json({**result.as_json(), "dry_run": args.dry_run}, stream=sys.stdout)
    else:
        extra = f", {result.already_there} already there" if result.already_there else ""
        verb = "would restore" if args.dry_run else "restored"
        print(f"{verb} {result.written} file(s) from {path} under {result.root}{extra}"
              + ("; nothing written" if args.dry_run else ""))
    return 0
