"""`fleetdeck backup list`: every backup fleetdeck knows, where its copies are, and stray files it finds."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="list backups and project-data archives (made by `fleetdeck run "
                                      "backup` and `fleetdeck run archive-projects`)")
    bsub = p.add_subparsers(dest="backup_command", metavar="ACTION")
    lp = bsub.add_parser("list", help="list backups: local file, remote copy, size, age")
    lp.add_argument("--all", action="store_true", help="include backups removed by retention")
    lp.add_argument("--json", action="store_true", help="print JSON")
    lp.set_defaults(handler=list_backups)
    p.set_defaults(handler=list_backups, json=False, all=False)


def list_backups(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import time
    from pathlib import Path

    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.maintenance.backup import backup_dir

    sql = "SELECT * FROM backups" + ("" if args.all else " WHERE deleted_at IS NULL") + " ORDER BY created_at, id"
    rows = []
    for r in ctx.store.query(sql):
        row = dict(r)
        row["local_exists"] = Path(row["file"]).exists()
        row["remote_exists"] = (Path(row["remote"]).exists() if row["remote"] and
                                not str(row["remote"]).startswith(("rsync:", "rclone:")) else None)
        rows.append(row)
    folder = backup_dir(ctx.config)
    known = {r["file"] for r in ctx.store.query("SELECT file FROM backups")}
    # A project-data archive's manifest sits beside it (restore reads it); it is not a backup of its own.
    beside = (".tmp", ".part", ".manifest.json")
    strays = sorted(str(p) for p in folder.iterdir()
                    if p.is_file() and str(p) not in known and not p.name.endswith(beside))
    if args.json:
        print_json({"dir": str(folder), "backups": rows, "not_in_catalogue": strays}, stream=sys.stdout)
        return 0

    def where(row: dict) -> str:
        local = "local" if row["local_exists"] else "local missing"
        if row["deleted_at"]:
            local = "removed"
        if row["remote"]:
            return f"{local} + remote" if row["remote_exists"] is not False else f"{local}, remote missing"
        return local

    print_table([(r["id"], r["kind"], Path(r["source"]).name if r["kind"] == "database" else r["source"],
                  time.strftime("%Y-%m-%d %H:%M", time.gmtime(r["created_at"])),
                  f"{r['size_bytes'] / 1e6:.1f} MB", where(r), r["file"]) for r in rows],
                ("ID", "KIND", "SOURCE", "MADE (UTC)", "SIZE", "WHERE", "FILE"), align="rlllrll",
                stream=sys.stdout)
    for stray in strays:
        print(f"not in the catalogue: {stray}")
    return 0
