"""`fleetdeck optimizer report [--json]` and `fleetdeck optimizer revert CHANGE [--dry-run]`."""

from __future__ import annotations

import argparse
import sys  # passed explicitly: output's default stream is bound at import time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("optimizer", help="self-optimizer: report on reviews and changes, revert a change")
    osub = p.add_subparsers(dest="optimizer_command", metavar="COMMAND")
    r = osub.add_parser("report", help="scores with trend, issues, applied changes (with diffs), suggestions")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(handler=report)
    v = osub.add_parser("revert", help="revert one applied change with a new git commit")
    v.add_argument("change", type=int, help="change id (see `optimizer report`)")
    v.add_argument("--dry-run", action="store_true", help="say what would be reverted, change nothing")
    v.add_argument("--json", action="store_true", help="print JSON")
    v.set_defaults(handler=revert)
    p.set_defaults(handler=report, json=False)


def _trend(value: int | None) -> str:
    return "" if value is None else f" ({value:+d})"


def report(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.app.output import visible as v  # an LLM's words and file contents: no escape codes
    from fleetdeck.services.optimizer.report import build_report

    data = build_report(ctx.store)
    if args.json:
        print_json(data, sys.stdout)
        return 0
    if not data["runs"]:
        print("optimizer: no runs yet (`fleetdeck run optimize`)")
        return 0
    score = "?" if data["score"] is None else data["score"]
    print(f"overall score {score}/100{_trend(data['trend'])} over {len(data['runs'])} recent runs")
    print_table([(f["file"], f["status"], "" if f["score"] is None else f"{f['score']}{_trend(f['trend'])}",
                  f["error"] or "") for f in data["files"]], ("FILE", "STATUS", "SCORE", "NOTE"), align="llrl",
                stream=sys.stdout)
    if data["issues"]:
        print("\nissues:")
        for i in data["issues"]:
            print(v(f"  [{i['severity']}] {i['file']}: {i['text']}"))
    for title, rows in (("applied changes", data["applied"]), ("suggestions waiting", data["suggestions"])):
        if not rows:
            continue
        print(f"\n{title}:")
        for c in rows:
            sha = f" {c['commit_sha'][:10]}" if c["commit_sha"] else ""
            extra = f" — {c['reason']}" if c["reason"] else ""
            print(v(f"  #{c['id']} {c['status']}{sha} {c['file']} {c['change_type']}: {c['rationale']}{extra}"))
            if c["status"] == "applied":
                for line in c["patch"].splitlines():
                    print(f"      {v(line)}")
    return 0


def revert(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.optimizer.report import revert_change

    result = revert_change(ctx.store, ctx.config, args.change, now=ctx.clock.now(), dry_run=args.dry_run)
    if args.json:
        print_json(result, sys.stdout)
    elif args.dry_run:
        print(f"would revert change #{args.change} ({result['file']}, commit {result['commit'][:10]})")
    else:
        print(f"reverted change #{args.change} ({result['file']}): new commit {result['revert_commit'][:10]}")
    return 0
