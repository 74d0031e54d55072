"""`fleetdeck prices [MODEL]`: the price fleetdeck uses for a model, and where it comes from."""

from __future__ import annotations

import argparse

COMMON = ("haiku", "sonnet", "opus", "claude-opus-4-1", "gpt-4o", "gpt-4o-mini", "gpt-5", "gpt-5-mini")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prices", help="show model prices ($ per million tokens) and their source")
    p.add_argument("model", nargs="?", metavar="MODEL", help="model id or alias (default: common models + aliases)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import sys

    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.spend.pricing import pricer_for

    ctx.setup_logging()  # a model with no price is a one-line warning on stderr (and in the log), not loguru's default
    pricer = pricer_for(ctx.config)
    names = [args.model] if args.model else list(COMMON) + sorted(pricer.overrides)
    rows = []
    for name in dict.fromkeys(names):
        resolved = pricer.resolve(name)
        rates = pricer.rates(resolved)
        rows.append({"name": name, "model": resolved, "known": rates is not None,
                     "baseline": resolved == pricer.baseline_model,
                     **(rates.as_json() if rates else {"source": "unknown: stored with cost unknown"})})
    if args.json:
        print_json(rows[0] if args.model else {"baseline_model": pricer.baseline_model, "models": rows,
                                                "aliases": pricer.aliases}, stream=sys.stdout)
    else:
        def p(r: dict, key: str) -> str:
            if not r["known"]:
                return "-"
            tiers = r[key]["tiers"]
            extra = "".join(f" (>{t['above_input_tokens'] // 1000}k: {t['per_mtok']:g})" for t in tiers)
            return f"{r[key]['per_mtok']:g}{extra}"

        print_table([(r["name"], r["model"] + (" *" if r["baseline"] else ""), p(r, "input"), p(r, "output"),
                      p(r, "cache_read"), p(r, "cache_write"), r["source"]) for r in rows],
                    ("NAME", "MODEL", "INPUT $/MTOK", "OUTPUT", "CACHE READ", "CACHE WRITE", "SOURCE"), align="lllllll", stream=sys.stdout)
        print(f"* baseline for savings: {pricer.baseline_model}")
    return 0
