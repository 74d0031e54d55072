"""`fleetdeck status`: the queue at a glance (pending, free and busy sessions, ETA to drain, what comes next).

Kept fast on purpose (cron and shell prompts call it): it opens the database read-only with plain sqlite3 and
touches neither the config file nor logging, so only the path resolution and the queue snapshot get imported.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="queue status: pending prompts, idle/working sessions, ETA to drain")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=status)


def status(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import sqlite3
    import sys
    import time

    from fleetdeck.services.errors import DataError
    from fleetdeck.services.queue.snapshot import session_counts, take_snapshot

    db = ctx.paths.db_file
    now = time.time()
    if not db.exists():
        snap = {"pending": 0, "assigning": 0, "running": 0, "queue_depth": 0, "idle_sessions": 0,
                "working_sessions": 0, "permission_sessions": 0, "usage_limited_sessions": 0, "sessions": 0,
                "eta_drain_s": 0, "eta_drain_p90_s": 0, "eta_drain": "0s",
                "without_eta": 0, "history": None, "next": [], "at": int(now)}
    else:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            conn.execute("PRAGMA busy_timeout = 5000")
            try:
                snap = take_snapshot(conn, now)
            finally:
                conn.close()
        except sqlite3.OperationalError:
            # Most likely a database from before the queue migration: open it the normal way (migrates).
            snap = take_snapshot(ctx.store.conn, now)
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{db}: {exc}") from None
    if args.json:
        import json

        json.dump(snap, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"queue:    {snap['pending']} pending, {snap['assigning'] + snap['running']} running"
              f" (depth {snap['queue_depth']})\n")
    out.write(f"sessions: {', '.join(session_counts(snap))} ({snap['sessions']} agent{'' if snap['sessions'] == 1 else 's'})\n")
    p90 = snap["eta_drain_p90_s"]
    extra = "" if p90 in (None, 0) else f" (p90 {_human(p90)})"
    out.write(f"drain:    {snap['eta_drain']}{extra}")
    if snap["without_eta"]:
        out.write(f"; {snap['without_eta']} prompts without an estimate")
    out.write("\n")
    if snap["next"]:
        out.write("next:\n")
        for item in snap["next"]:
            tags = " ".join(x for x in (item["workflow"], item["agent"]) if x)
            line = f"{tags + ' ' if tags else ''}{item['preview'][:70]}".replace("\n", " ").replace("\t", " ")
            if not line.isprintable():  # prompts are text from anywhere: no escape codes onto a terminal
                from fleetdeck.app.output import visible

                line = visible(line)
            out.write(f"  #{item['id']:<6} p{item['priority']:<3} eta {item['eta']:<8} {line}\n")
    return 0


def _human(seconds: float) -> str:
    from fleetdeck.services.queue.snapshot import human_duration

    return human_duration(seconds)
