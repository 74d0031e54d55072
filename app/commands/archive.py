"""`fleetdeck archive list` and `fleetdeck archive show`: read what cleanup archived."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("archive", help="read rows that cleanup archived (activity log and configured tables)")
    asub = p.add_subparsers(dest="archive_command", metavar="ACTION")
    lp = asub.add_parser("list", help="list archive files")
    lp.add_argument("--json", action="store_true", help="print JSON")
    lp.set_defaults(handler=list_archives)
    sp = asub.add_parser("show", help="print archived rows, oldest first")
    sp.add_argument("--table", default="activity_log", help="source table (default activity_log)")
    sp.add_argument("--since", help="only rows at or after this date (YYYY-MM-DD, UTC)")
    sp.add_argument("--until", help="only rows before this date (YYYY-MM-DD, UTC)")
    sp.add_argument("--grep", help="only rows whose text contains this (case-insensitive)")
    sp.add_argument("--limit", type=int, default=0, help="at most N rows (0: all)")
    sp.add_argument("--json", action="store_true", help="print JSON lines")
    sp.set_defaults(handler=show_archive)
    p.set_defaults(handler=list_archives, json=False)


def _day(text: str | None) -> int | None:
    if not text:
        return None
    import datetime as dt

    from fleetdeck.services.errors import UsageError

    try:
        return int(dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc).timestamp())
    except ValueError:
        raise UsageError(f"bad date {text!r}: expected YYYY-MM-DD") from None


def list_archives(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table

    rows = [dict(r) for r in ctx.store.query(
        "SELECT source, db_path, file, rows, min_at, max_at, state, created_at FROM archive_batches ORDER BY id")]
    if getattr(args, "json", False):
        print_json(rows, stream=sys.stdout)
        return 0
    import time

    def day(ts: int | None) -> str:
        return "-" if ts is None else time.strftime("%Y-%m-%d", time.gmtime(ts))

    print_table([(r["source"], r["rows"], day(r["min_at"]), day(r["max_at"]), r["state"], r["file"]) for r in rows],
                ("TABLE", "ROWS", "FROM", "TO", "STATE", "FILE"), stream=sys.stdout)
    return 0


def show_archive(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from pathlib import Path

    from fleetdeck.services.errors import DataError, UsageError
    from fleetdeck.services.maintenance.archive import read_archive

    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or more, got {args.limit}")
    since, until = _day(args.since), _day(args.until)
    batches = ctx.store.query(
        "SELECT file, min_at, max_at FROM archive_batches WHERE source = ? ORDER BY min_id", (args.table,))
    shown = 0
    needle = (args.grep or "").lower()
    for batch in batches:
        if since is not None and batch["max_at"] is not None and batch["max_at"] < since:
            continue
        if until is not None and batch["min_at"] is not None and batch["min_at"] >= until:
            continue
        path = Path(batch["file"])
        if not path.exists():
            raise DataError(f"{path}: archive file is missing")
        try:
            shown = _print_rows(read_archive(path), args, since, until, needle, shown)
        except BrokenPipeError:  # the reader went away (`| head`): the CLI's quiet exit
            raise
        except (OSError, EOFError, ValueError) as exc:  # damaged: the rows before the damage are out already
            raise DataError(f"{path}: cannot read the rest of this archive: {exc}") from None
        if args.limit and shown >= args.limit:
            return 0
    return 0


def _print_rows(rows, args: argparse.Namespace, since: int | None, until: int | None, needle: str,  # noqa: ANN001
                shown: int) -> int:
    """Print one archive's rows that pass the filters, up to --limit in all; how many are shown in all."""
    import json
    import time

    from fleetdeck.app.output import visible

    for row in rows:
        at = row.get("at")
        if since is not None and isinstance(at, int) and at < since:
            continue
        if until is not None and isinstance(at, int) and at >= until:
            continue
        if needle and needle not in json.dumps(row, ensure_ascii=False).lower():
            continue
        row.pop("_rowid", None)
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        elif "message" in row and "at" in row:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(row["at"]))
            print(visible(f"{when}  {row.get('level', ''):<8} {row.get('source', ''):<12} {row['message']}"))
        else:
            print(json.dumps(row, ensure_ascii=False))
        shown += 1
        if args.limit and shown >= args.limit:
            break
    return shown
