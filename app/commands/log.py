"""`fleetdeck log MODEL WORKFLOW INPUT OUTPUT`: record one API call by hand or from a script."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="record one API call (model, workflow, tokens) in the spend log",
                       description="Record one API call. MODEL may be an alias (haiku, sonnet, opus, gpt-4o, "
                                   "gpt-5, ...); the resolved id is stored. Bad numbers, workflow names or "
                                   "future times exit 65.")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("workflow", metavar="WORKFLOW", help="letters, digits and - _ . : /")
    p.add_argument("input_tokens", metavar="INPUT_TOKENS", help="uncached input tokens")
    p.add_argument("output_tokens", metavar="OUTPUT_TOKENS")
    p.add_argument("--cache-read", default="0", metavar="N", help="cache read tokens")
    p.add_argument("--cache-write", default="0", metavar="N", help="cache write tokens")
    p.add_argument("--session", metavar="S", help="session id or label")
    p.add_argument("--project-dir", metavar="DIR", help="project directory")
    p.add_argument("--latency-ms", metavar="N", help="call latency in milliseconds")
    p.add_argument("--error", metavar="TEXT", help="record the call as failed with this error")
    p.add_argument("--at", metavar="TIME", help="when (ISO 8601, YYYY-MM-DD or epoch seconds; default now)")
    p.add_argument("--json", action="store_true", help="print the stored row as JSON")
    p.set_defaults(handler=run)


def _int(name: str, text: str | None) -> int | None:
    from fleetdeck.services.errors import DataError

    if text is None:
        return None
    t = text.strip().replace("_", "").replace(",", "")
    if t.startswith("-") and t[1:].isdigit():
        raise DataError(f"{name}: cannot be negative ({text})")
    if not t.isdigit():
        raise DataError(f"{name}: expected a whole number, got {text!r}")
    return int(t)


def _absolute(path: str | None) -> str | None:
    """As transcripts give it (an absolute cwd): `--project-dir .` would otherwise be a project of its own, '.'."""
    import os

    return os.path.abspath(os.path.expanduser(path)) if path else None


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import sys
    from zoneinfo import ZoneInfo

    from fleetdeck.app.output import money, print_json
    from fleetdeck.services.spend import log_api_call
    from fleetdeck.services.spend.reports import parse_when

    ctx.setup_logging()  # warnings (a model with no price) as one line on stderr, and in the log file
    at = None
    if args.at:
        tz = ZoneInfo(str(ctx.config.get("general", "timezone", "UTC") or "UTC"))
        at = parse_when(args.at, tz)
    logged = log_api_call(
        model=args.model, workflow=args.workflow, input_tokens=_int("INPUT_TOKENS", args.input_tokens),
        output_tokens=_int("OUTPUT_TOKENS", args.output_tokens),
        cache_read_tokens=_int("--cache-read", args.cache_read), cache_write_tokens=_int("--cache-write", args.cache_write),
        latency_ms=_int("--latency-ms", args.latency_ms), status="error" if args.error else "ok", error=args.error,
        session=args.session, project_dir=_absolute(args.project_dir), source="log", at=at, store=ctx.store,
        config=ctx.config)
    if args.json:
        print_json(dict(ctx.store.query_one("SELECT * FROM api_calls WHERE id = ?", (logged.id,))), stream=sys.stdout)
    else:
        cost = money(logged.cost_micros) if logged.cost_micros is not None else "unknown price"
        print(f"logged #{logged.id}: {logged.model} {args.workflow} {cost}")
    return 0
