"""`fleetdeck ingest`: read new Claude Code / Codex transcript lines into the spend log (the `ingest` job)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read new Claude Code and Codex transcript lines into the spend log",
                       description="Incremental: only lines added since the last run are read. Same as "
                                   "`fleetdeck run ingest`.")
    p.add_argument("--claude-dir", action="append", metavar="DIR",
                   help="Claude Code config dir or its projects/ dir (repeatable; default $CLAUDE_CONFIG_DIR or "
                        "~/.claude)")
    p.add_argument("--codex-dir", action="append", metavar="DIR",
                   help="Codex home or its sessions/ dir (repeatable; default $CODEX_HOME or ~/.codex)")
    p.add_argument("--dry-run", action="store_true", help="only count the files that would be checked")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.commands.jobs import execute
    from fleetdeck.services.jobs import get_job

    spec = get_job("ingest")
    assert spec is not None
    args.debug = getattr(args, "debug", False)
    return execute(spec, args, ctx)
