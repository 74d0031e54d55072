"""`fleetdeck dashboard`: write the offline HTML spend dashboard."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="write a self-contained HTML spend dashboard (works offline)")
    p.add_argument("--out", metavar="FILE", help="where to write it (default: DATA_DIR/dashboard/costs.html)")
    p.add_argument("--open", action="store_true", help="open it in the default browser afterwards")
    p.add_argument("--days", type=int, default=30, metavar="N", help="days to cover, today included (default 30)")
    p.add_argument("--no-ingest", dest="ingest", action="store_false",
                   help="chart the store as it is, without reading new transcript lines first")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(handler=dashboard)


def dashboard(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from pathlib import Path

    from fleetdeck.app.output import print_json
    from fleetdeck.services.dashboard.render import write_dashboard
    from fleetdeck.services.errors import CantCreateError, UsageError

    if not 1 <= args.days <= 3660:
        raise UsageError(f"--days must be between 1 and 3660, not {args.days}")
    out = Path(args.out).expanduser() if args.out else ctx.paths.data_dir / "dashboard" / "costs.html"
    ctx.paths.ensure()  # an unusable data or state folder is one line and 73, before the ingest looks at it
    if args.ingest:
        from fleetdeck.app.commands.ingest import refresh_before_report

        refresh_before_report(ctx)
    tz = str(ctx.config.get("general", "timezone", "UTC"))
    try:
        result = write_dashboard(ctx.store, out, days=args.days, now=ctx.clock.now(), tz=tz)
    except OSError as exc:
        raise CantCreateError(f"cannot write {out}: {exc.strerror or exc}") from None
    if args.json:
        print_json(result)
    else:
        print(f"wrote {result['path']} ({result['bytes'] / 1024:,.0f} KiB, {result['calls']:,} calls over "
              f"{result['days']} days)")
    if args.open:
        import webbrowser

        if not webbrowser.open(out.resolve().as_uri()):  # no browser here (a server, ssh): say so, it is written
            import sys

            print(f"fleetdeck: found no browser to open it; open {out.resolve().as_uri()} yourself", file=sys.stderr)
    return 0
