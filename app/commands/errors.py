"""`fleetdeck errors`: error groups (list, show, mute, fixed)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from fleetdeck.app.cli import positive_int

    # An action's --json defaults to nothing rather than False, so that `errors --json ACTION` keeps the
    # command's own --json instead of the action's default overwriting it.
    p = sub.add_parser("errors", help="error groups by recent activity; `errors show ID` for samples and stack")
    p.add_argument("--since", help="only groups seen since: 24h, 7d, a date or epoch seconds")
    p.add_argument("--limit", type=positive_int, default=100, help="at most this many groups (default 100)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=list_errors)
    actions = p.add_subparsers(dest="errors_action", metavar="{show,suggest,mute,fixed,open}")
    s = actions.add_parser("show", help="one group: samples, stack, bug, fix")
    s.add_argument("id", type=int)
    s.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    s.set_defaults(handler=show_error)
    s = actions.add_parser("suggest", help="ask the configured LLM for a fix (cached per signature)")
    s.add_argument("id", type=int)
    s.add_argument("--refresh", action="store_true", help="ask again even when a suggestion is cached")
    s.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    s.set_defaults(handler=suggest)
    for name, status, text in (("mute", "muted", "hide a group from alerts and auto-filing"),
                               ("fixed", "fixed", "mark a group fixed (it reopens when seen again)"),
                               ("open", "open", "reopen a muted or fixed group")):
        a = actions.add_parser(name, help=text)
        a.add_argument("id", type=int)
        a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
        a.set_defaults(handler=set_group_status, status=status)


def _ago(ts: int | None, now: float) -> str:
    if not ts:
        return "-"
    d = max(0, int(now - ts))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if d >= size:
            return f"{d // size}{unit} ago"
    return f"{d}s ago"


def list_errors(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.triage.queries import list_groups, parse_since

    now = ctx.clock.now()
    since = parse_since(args.since, now) if args.since else None
    groups = list_groups(ctx.store, since=since, limit=args.limit)
    if args.json:
        print_json(groups, sys.stdout)
        return 0
    if not groups:
        print("no error groups" + (" in that window" if since else " yet (run `fleetdeck run triage`)"))
        return 0
    rows = [(g["id"], g["severity"], g["status"], g["count"], _ago(g["first_seen"], now), _ago(g["last_seen"], now),
             ",".join(g["sources"]), g["bug_id"] or "-", g["title"][:80]) for g in groups]
    print_table(rows, ("ID", "SEVERITY", "STATUS", "COUNT", "FIRST", "LAST", "SOURCES", "BUG", "SIGNATURE / TEMPLATE"),
                align="rllrlllll", stream=sys.stdout)
    return 0


def show_error(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.app.output import visible as v
    from fleetdeck.services.triage.queries import group_detail

    section = ctx.config.section("triage")
    g = group_detail(ctx.store, args.id, samples=int(section.get("samples", 5)), rules=section.get("rules") or [])
    if args.json:
        print_json(g, sys.stdout)
        return 0
    now = ctx.clock.now()
    print(f"group {g['id']}  [{g['severity']}, {g['status']}]  seen {g['count']}x,"
          f" first {_ago(g['first_seen'], now)}, last {_ago(g['last_seen'], now)}; sources: {v(', '.join(g['sources']))}")
    print(f"signature: {v(g['signature'])}")
    print(f"title:     {v(g['title'])}")
    if g["stack"]:
        print("stack (in-app frames, innermost last):")
        for frame in g["stack"].splitlines():
            print(f"  {v(frame)}")
    bug = g["bug"]
    print(f"bug:       #{bug['id']} {v(bug['title'])} ({bug['status']})" if bug else "bug:       none")
    fix = g["fix"]
    print(f"fix:       {v(fix['fix'])}  ({v(fix['source'])})" if fix else "fix:       no known fix")
    if g.get("llm_fix"):
        print(f"LLM suggestion (unverified, {g.get('llm_model') or 'model'}): {v(g['llm_fix'])}")
    print(f"samples (latest {len(g['samples'])}):")
    for s in g["samples"]:
        flags = f" [{s['flags']}]" if s["flags"] else ""
        print(f"--- {_ago(s['at'], now)} from {s['source']} {v(s['origin'] or '')}{flags}")
        print(v(s["text"][:4000]))
    return 0


def set_group_status(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.triage.queries import get_group, set_status

    set_status(ctx.store, args.id, args.status)
    if args.json:
        print_json(get_group(ctx.store, args.id), sys.stdout)
    else:
        print(f"group {args.id}: {args.status}")
    return 0


def suggest(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, visible
    from fleetdeck.services.triage.suggest import suggest_fix

    out = suggest_fix(ctx.store, ctx.config, args.id, refresh=args.refresh)
    if args.json:
        print_json(out, sys.stdout)
    else:
        print(f"{out['label']}, {out['model']}{' (cached)' if out['cached'] else ''}:\n{visible(out['text'])}")
    return 0
