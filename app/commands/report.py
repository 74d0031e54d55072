"""`fleetdeck report`: spend reports (`report [DAYS]`) and performance (`report perf`).

The spend and perf reports are separate modules (report_spend.py, report_perf.py), each with
``configure(parser)`` and ``run(args, ctx) -> int``; this module only routes between them so that
`fleetdeck report 7` and `fleetdeck report perf --days 3` both read naturally.
"""

from __future__ import annotations

import argparse
from importlib import import_module

KINDS = {"perf": "report_perf"}
DEFAULT = "report_spend"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="spend report (`report [DAYS]`), or `report perf` for uptime, CPU, memory and API latency",
        add_help=False,
        # Every option (even --help) belongs to the routed report, so this parser claims none of them.
        prefix_chars="+",
    )
    p.add_argument("report_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(handler=route)


def route(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.cli import _Parser
    from fleetdeck.services.errors import UnavailableError

    rest = list(args.report_args)
    kind = KINDS.get(rest[0]) if rest else None
    module_name = kind or DEFAULT
    if kind:
        rest = rest[1:]
    prog = "fleetdeck report" + (" perf" if kind else "")
    try:
        module = import_module(f"fleetdeck.app.commands.{module_name}")
    except ModuleNotFoundError:
        raise UnavailableError(f"{prog} is not available in this build") from None
    parser = _Parser(prog=prog, description=(module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else None)
    module.configure(parser)
    parsed = parser.parse_args(rest)
    parsed.debug = getattr(args, "debug", False)
    return int(module.run(parsed, ctx) or 0)


