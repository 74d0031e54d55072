"""`fleetdeck bugs list|show|close|link|file`."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    # An action's --json defaults to nothing rather than False, so that `bugs --json ACTION` keeps the
    # command's own --json instead of the action's default overwriting it.
    p = sub.add_parser("bugs", help="bugs filed from error groups: list, show, close, link, file")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=list_bugs, status=None)
    actions = p.add_subparsers(dest="bugs_action", metavar="{list,show,close,link,file}")
    a = actions.add_parser("list", help="bugs, newest first")
    a.add_argument("--status", choices=("open", "closed"))
    a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    a.set_defaults(handler=list_bugs)
    a = actions.add_parser("show", help="one bug and its groups")
    a.add_argument("id", type=int)
    a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    a.set_defaults(handler=show_bug)
    a = actions.add_parser("close", help="close a bug; --fix NOTE teaches the known-fixes database")
    a.add_argument("id", type=int)
    a.add_argument("--fix", dest="fix_note", help="what fixed it (shown for matching errors from now on)")
    a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    a.set_defaults(handler=close_bug)
    a = actions.add_parser("link", help="link an error group to a bug")
    a.add_argument("group", type=int, help="error group id")
    a.add_argument("bug", type=int, help="bug id")
    a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    a.set_defaults(handler=link)
    a = actions.add_parser("file", help="file a bug for an error group (or return the one it has)")
    a.add_argument("group", type=int, help="error group id")
    a.add_argument("--title", help="bug title (default: the group's)")
    a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    a.set_defaults(handler=file_bug)


def list_bugs(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.triage.queries import list_bugs as query

    bugs = query(ctx.store, status=getattr(args, "status", None))
    if args.json:
        print_json(bugs, sys.stdout)
    elif not bugs:
        print("no bugs")
    else:
        print_table([(b["id"], b["status"], b["groups"], b["events"], b["created_by"], b["title"][:80]) for b in bugs],
                    ("ID", "STATUS", "GROUPS", "EVENTS", "BY", "TITLE"), align="rlrrll", stream=sys.stdout)
    return 0


def show_bug(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.app.output import visible as v
    from fleetdeck.services.triage.queries import get_bug

    bug = get_bug(ctx.store, args.id)
    if args.json:
        print_json(bug, sys.stdout)
        return 0
    print(f"bug #{bug['id']} [{bug['status']}] {v(bug['title'])}  (by {v(bug['created_by'])})")
    if bug["fix_note"]:
        print(f"fix: {v(bug['fix_note'])}")
    for g in bug["groups"]:
        print(f"  group {g['id']} [{g['status']}] x{g['count']}: {v(g['title'][:100])}")
    return 0


def close_bug(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.triage.queries import close_bug as close

    bug = close(ctx.store, args.id, fix_note=args.fix_note, now=ctx.clock.now())
    if args.json:
        print_json(bug, sys.stdout)
    else:
        print(f"bug #{args.id} closed" + (" with a fix note (now a known fix)" if args.fix_note else ""))
    return 0


def link(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.triage.queries import link_group

    link_group(ctx.store, args.group, args.bug)
    if args.json:
        print_json({"group": args.group, "bug": args.bug}, sys.stdout)
    else:
        print(f"group {args.group} linked to bug #{args.bug}")
    return 0


def file_bug(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.triage.queries import file_bug_for_group

    bug_id = file_bug_for_group(ctx.store, args.group, title=args.title, now=ctx.clock.now())
    if args.json:
        print_json({"group": args.group, "bug": bug_id}, sys.stdout)
    else:
        print(f"group {args.group}: bug #{bug_id}")
    return 0
