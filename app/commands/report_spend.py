"""Spend report: tokens, cost, calls, share, and the savings against the baseline model.

`fleetdeck report [DAYS]` covers the last DAYS local days including today (default 7). Calls whose model has no
known price are listed separately and never counted as $0. The report first reads what the Claude Code and
Codex transcripts gained since the last ingest (`--no-ingest`, or `[spend] ingest_on_report = false`, skips
that), so it is current without a separate `fleetdeck ingest`.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("days", nargs="?", type=int, metavar="DAYS", help="last DAYS days including today (default 7)")
    period = parser.add_mutually_exclusive_group()
    period.add_argument("--daily", dest="period", action="store_const", const="daily", help="one row per day")
    period.add_argument("--weekly", dest="period", action="store_const", const="weekly", help="one row per ISO week")
    period.add_argument("--monthly", dest="period", action="store_const", const="monthly", help="one row per month")
    parser.add_argument("--by", choices=("model", "workflow", "session", "project"), default=None,
                        help="group rows by this (default: model; with a period, totals per period)")
    parser.add_argument("--since", metavar="WHEN", help="start (YYYY-MM-DD local, ISO time or epoch)")
    parser.add_argument("--until", metavar="WHEN", help="end, inclusive of that whole day for a date")
    parser.add_argument("--no-ingest", dest="ingest", action="store_false",
                        help="report the store as it is, without reading new transcript lines first")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import sys

    from fleetdeck.services.spend.reports import report_for_config

    if args.ingest:
        from fleetdeck.app.commands.ingest import refresh_before_report

        refresh_before_report(ctx)
    by = args.by or (None if args.period else "model")
    report = report_for_config(ctx.store, ctx.config, days=args.days, since=args.since, until=args.until, by=by,
                               period=args.period, now=ctx.clock.now())
    if args.json:
        import json

        # What app.output.print_json writes, built as one string: json.dump with an indent hands the stream
        # thousands of small pieces. (msgspec would encode it in C, but importing it costs ~20 ms, ten times
        # what the pure-Python indented encoder spends on `report 36500 --daily`.)
        sys.stdout.write(json.dumps(report.as_json(), indent=2, default=str, ensure_ascii=False) + "\n")
    elif args.csv:
        _csv(report)
    else:
        _text(report)
    return 0


def _usd(micros: int) -> str:
    return f"{micros / 1_000_000:.6f}"


def _csv(report) -> None:  # noqa: ANN001
    import csv
    import sys

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["period", "group", "calls", "input_tokens", "output_tokens", "cache_read_tokens",
                "cache_write_tokens", "cost_usd", "share", "baseline_cost_usd", "savings_usd", "unknown_price_calls",
                "unknown_price_tokens", "errors"])
    for r in report.rows + [report.total]:
        # A row none of whose calls has a price leaves its money cells empty: a spreadsheet must not sum it as $0.
        cost, baseline, savings = (("", "", "") if r.unpriced else
                                   (_usd(r.cost_micros), _usd(r.baseline_cost_micros), _usd(r.savings_micros)))
        w.writerow([r.period or ("TOTAL" if r is report.total else ""), r.group or "", r.calls, r.input_tokens,
                    r.output_tokens, r.cache_read_tokens, r.cache_write_tokens, cost, f"{r.share:.4f}", baseline,
                    savings, r.unknown_calls, r.unknown_tokens, r.errors])


def _text(report) -> None:  # noqa: ANN001
    import sys
    import time

    from fleetdeck.app.output import money, print_table

    def day(ts: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts)) + " UTC"

    print(f"Spend {day(report.since)} .. {day(report.until)} (boundaries in {report.timezone})")
    headers = [h for h, keep in (("PERIOD", report.period), (report.by.upper() if report.by else "", report.by))
               if keep]
    headers += ["CALLS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "COST", "SHARE", "BASELINE", "SAVINGS"]
    rows = []
    for r in report.rows + [report.total]:
        lead = []
        if report.period:
            lead.append("TOTAL" if r is report.total else r.period)
        if report.by:
            lead.append(("TOTAL" if not report.period else "") if r is report.total else (r.group or "-"))
        unknown = f" ({r.unknown_calls:,} unpriced)" if r.unknown_calls else ""  # of the calls, not on top
        if r.unpriced:  # no known price at all: never shown as $0
            cost, baseline, savings = "unknown", "-", "-"
        else:
            cost = money(r.cost_micros) + (" + unknown" if r.unknown_calls else "")
            baseline, savings = money(r.baseline_cost_micros), money(r.savings_micros)
        rows.append(lead + [f"{r.calls:,}{unknown}", r.input_tokens, r.output_tokens, r.cache_read_tokens,
                            r.cache_write_tokens, cost, f"{100 * r.share:.1f}%", baseline, savings])
    print_table(rows, headers, align="l" * (len(headers) - 9) + "r" * 9, stream=sys.stdout)
    t = report.total
    if t.baseline_cost_micros:
        pct = 100 * t.savings_micros / t.baseline_cost_micros
        print(f"Savings vs {report.baseline_model}: {money(t.savings_micros)} ({pct:.1f}% of "
              f"{money(t.baseline_cost_micros)})")
    if t.unknown_calls:
        print(f"Unknown price: {t.unknown_calls:,} calls, {t.unknown_tokens:,} tokens not in the cost "
              f"(models: {', '.join(report.unknown_models[:10])}); add them under [spend] prices")
