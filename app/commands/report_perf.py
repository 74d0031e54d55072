"""Performance report: uptime and restarts per session, CPU/memory percentiles, API latency, disk growth."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=float, default=7.0, help="how many days back (default 7)")
    parser.add_argument("--json", action="store_true", help="print JSON")


MAX_DAYS = 3660  # ten years, as for the dashboard


def _num(value: float | None, fmt: str = "{:.1f}") -> str | None:
    return None if value is None else fmt.format(value)


def _mb(value: float | None) -> str | None:
    return None if value is None else f"{value / 1e6:,.0f} MB"


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import sys
    from functools import partial

    from fleetdeck.app.output import print_json
    from fleetdeck.app.output import print_table as _print_table
    from fleetdeck.services.clock import utc_iso
    from fleetdeck.services.errors import UsageError
    from fleetdeck.services.metrics.report import perf_report

    if not 0 < args.days <= MAX_DAYS:  # (also refuses nan; inf and 1e308 overflowed the window's timestamps)
        raise UsageError(f"--days must be positive and at most {MAX_DAYS}, got {args.days:g}")
    # output.print_table binds sys.stdout when imported; look it up now so redirected stdout is honoured.
    print_table = partial(_print_table, stream=sys.stdout)
    report = perf_report(ctx.store, ctx.clock.now(), args.days)
    if args.json:
        data = report.as_json()
        data["since_iso"], data["until_iso"] = utc_iso(report.since), utc_iso(report.until)
        print_json(data, sys.stdout)
        return 0
    print(f"Performance, last {args.days:g} days ({utc_iso(report.since)} .. {utc_iso(report.until)})\n")
    print("Sessions")
    print_table(
        [(s.name, _num(s.uptime_percent, "{:.1f}%"), s.restarts_in_window, s.restarts_total,
          _num(s.cpu_percent.p50), _num(s.cpu_percent.p95), _mb(s.rss_bytes.p50), _mb(s.rss_bytes.max))
         for s in report.sessions],
        ("SESSION", "UPTIME", "RESTARTS", "TOTAL", "CPU% P50", "CPU% P95", "RSS P50", "RSS MAX"),
        align="lrrrrrrr",
    )
    print("\nHost")
    print_table(
        [(name, sp.samples, _num(sp.p50), _num(sp.p95), _num(sp.max))
         for name, sp in (("cpu %", report.host_cpu_percent), ("memory %", report.host_memory_percent))],
        ("", "SAMPLES", "P50", "P95", "MAX"), align="lrrrr",
    )
    print("\nAPI latency (ms)")
    print_table(
        [(r["model"], r["calls"], _num(r["p50_ms"], "{:.0f}"), _num(r["p95_ms"], "{:.0f}"),
          _num(r["p99_ms"], "{:.0f}")) for r in report.latency],
        ("MODEL", "CALLS", "P50", "P95", "P99"), align="lrrrr",
    )
    print("\nDisk growth")
    print_table(
        [(d.mount, _mb(d.first_used_bytes), _mb(d.last_used_bytes), _mb(d.growth_bytes),
          _mb(d.growth_bytes_per_day)) for d in report.disks],
        ("MOUNT", "FIRST", "LAST", "GROWTH", "PER DAY"), align="lrrrr",
    )
    return 0
