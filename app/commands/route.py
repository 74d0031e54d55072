"""`fleetdeck route "task"`, `fleetdeck route feedback DECISION good|bad`, `fleetdeck route stats`."""

from __future__ import annotations

import argparse
import sys  # passed explicitly: output's default stream is bound at import time

SUBCOMMANDS = ("feedback", "stats")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "route",
        help='route a task to the cheapest capable model tier (`route "task"`, `route feedback`, `route stats`)',
        add_help=False,
    )
    # The options may come before the task (`route --json "task"`): argparse gives those to this parser, not to
    # the remainder, so it takes them too and dispatch hands them on.
    p.add_argument("-h", "--help", action="store_true", dest="route_help", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", dest="route_json", help=argparse.SUPPRESS)
    p.add_argument("--workflow", dest="route_workflow", help=argparse.SUPPRESS)
    p.add_argument("route_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(handler=dispatch)


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    from fleetdeck.app.cli import _Parser

    return _Parser(prog=prog, description=description)


def dispatch(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.cli import positive_int

    rest = list(args.route_args)
    given = (["--help"] if args.route_help else []) + (["--json"] if args.route_json else []) + \
        (["--workflow", args.route_workflow] if args.route_workflow is not None else [])
    if rest and rest[0] in SUBCOMMANDS:
        rest = rest[:1] + given + rest[1:]
    else:
        rest = given + rest
    if rest and rest[0] == "feedback":
        p = _parser("fleetdeck route feedback", "Tell the router whether a decision's answer was good or bad.")
        p.add_argument("decision", type=int, help="decision id (printed by `fleetdeck route`)")
        p.add_argument("verdict", choices=("good", "bad"))
        p.add_argument("--json", action="store_true", help="print JSON")
        return give_feedback(p.parse_args(rest[1:]), ctx)
    if rest and rest[0] == "stats":
        p = _parser("fleetdeck route stats", "What the router decided, saved and learned.")
        p.add_argument("--days", type=positive_int, default=30, help="look back this many days (default 30)")
        p.add_argument("--json", action="store_true", help="print JSON")
        return show_stats(p.parse_args(rest[1:]), ctx)
    p = _parser("fleetdeck route", "Pick the cheapest capable model tier for a task and say why. "
                "Also: `route feedback DECISION good|bad`, `route stats`.")
    p.add_argument("task", nargs="*", help="the task text")
    p.add_argument("--workflow", help="workflow the task belongs to")
    p.add_argument("--json", action="store_true", help="print JSON")
    return route_one(p.parse_args(rest), ctx)


def _router(ctx):  # noqa: ANN001, ANN202
    from fleetdeck.services.router import Router

    return Router(ctx.store, ctx.config, ctx.clock)


def route_one(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import DataError

    text = " ".join(args.task)
    if not text.strip():
        raise DataError('empty task: fleetdeck route "what the task is"')
    decision = _router(ctx).route(text, args.workflow)
    if args.json:
        print_json(decision, sys.stdout)
        return 0
    est = decision["est_cost_usd"]
    cost = "unknown" if est is None else f"${est:.4f}"
    print(f"tier {decision['tier']}  model {decision['model']}  est. {cost}  (decision {decision['decision_id']})")
    for reason in decision["reasons"]:
        print(f"  - {reason}")
    return 0


def give_feedback(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json

    result = _router(ctx).feedback(args.decision, args.verdict)
    if args.json:
        print_json(result, sys.stdout)
    else:
        print(f"decision {result['decision_id']} ({result['task_type']} on {result['tier']}): {result['verdict']};"
              f" {result['task_type']} tasks now start at {result['min_tier']}")
    return 0


def show_stats(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import money, print_json, print_table

    since = int(ctx.clock.now()) - args.days * 86400
    data = _router(ctx).stats(since)
    if args.json:
        print_json(data, sys.stdout)
        return 0
    print(f"routed calls (last {args.days} days): {data['calls']}  cost {money(data['cost_micros'])}"
          f"  baseline {money(data['baseline_cost_micros'])}  saved {money(data['saved_micros'])}"
          + (f" ({data['saved_pct']}%)" if data["saved_pct"] is not None else ""))
    if data["by_tier"]:
        print_table([(r["tier"], r["decisions"], r["ok"] or 0, r["failed"] or 0) for r in data["by_tier"]],
                    ("TIER", "DECISIONS", "OK", "FAILED"), align="lrrr", stream=sys.stdout)
    if data["attempts"]:
        print("attempts: " + ", ".join(f"{r['outcome']} {r['n']}" for r in data["attempts"]))
    if data["learned"]:
        print("learned minimum tiers:")
        print_table([(r["task_type"], r["min_tier_name"], r["good"] or 0, r["bad"] or 0, r["note"] or "")
                     for r in data["learned"]], ("TASK TYPE", "MIN TIER", "GOOD", "BAD", "WHY"), align="llrrl", stream=sys.stdout)
    else:
        print("learned: nothing yet (no feedback)")
    return 0
