"""The weekly spend report: Markdown and JSON in the data dir, and a summary for the channels."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .periods import period_end, period_start
from .summary import breakdown, totals

if TYPE_CHECKING:
    from ...services.config import Config
    from ..store import Store


def _usd(micros: int) -> str:
    return f"{'-' if micros < 0 else ''}${abs(micros) / 1_000_000:,.2f}"  # -$968, not $-968


def build_report(store: "Store", config: "Config", now: float) -> dict[str, Any]:
    tz = str(config.get("general", "timezone", "UTC"))
    top = int(config.get("alerts", "weekly_report_top", 5))
    end = period_end("daily", period_start("daily", now, tz), tz)
    start = end - 7 * 86400
    start = period_start("daily", start + 43200, tz)  # DST-safe: the local midnight seven days back
    previous_start = period_start("daily", start - 7 * 86400 + 43200, tz)
    this, before = totals(store, start, end), totals(store, previous_start, start)
    return {
        "from": _day(start, tz),
        "to": _day(end - 1, tz),
        "timezone": tz,
        "totals": this,
        "previous_totals": before,
        "by_model": breakdown(store, start, end, "model", top),
        "by_workflow": breakdown(store, start, end, "workflow", top),
        "by_project": breakdown(store, start, end, "project", top),
        "by_session": breakdown(store, start, end, "session", top),
    }


def _day(ts: int, tz: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%Y-%m-%d")


def _change(now: int, before: int) -> str:
    if before <= 0:
        return "no spend the week before" if now else "no change"
    pct = 100.0 * (now - before) / before
    return f"{pct:+.0f}% vs the week before ({_usd(before)})"


def _row_cost(row: dict[str, Any]) -> str:
    """Calls with no known price are never shown as $0."""
    unknown = row.get("unknown_calls") or 0
    if unknown and unknown >= row["calls"]:
        return "unknown"
    return _usd(row["cost_micros"]) + (f" + {unknown:,} unpriced" if unknown else "")


def render_markdown(report: dict[str, Any]) -> str:
    t = report["totals"]
    lines = [f"# fleetdeck spend, {report['from']} to {report['to']} ({report['timezone']})", "",
             f"- Total: **{_usd(t['cost_micros'])}** over {t['calls']:,} calls, "
             f"{_change(t['cost_micros'], report['previous_totals']['cost_micros'])}",
             f"- Savings vs the baseline model: {_usd(t['savings_micros'])}",
             f"- Tokens: {t['input_tokens']:,} in, {t['output_tokens']:,} out, "
             f"{t['cache_read_tokens']:,} cache read, {t['cache_write_tokens']:,} cache write"]
    if t["unknown_calls"]:
        lines.append(f"- {t['unknown_calls']:,} calls have no known price (not counted above)")
    for key, title in (("by_model", "Model"), ("by_workflow", "Workflow"), ("by_project", "Project"),
                       ("by_session", "Session")):
        lines += ["", f"## By {title.lower()}", "", f"| {title} | Calls | Cost |", "|---|---:|---:|"]
        for row in report[key]:
            name = str(row["name"]).replace("|", "\\|")
            lines.append(f"| {name} | {row['calls']:,} | {_row_cost(row)} |")
    return "\n".join(lines) + "\n"


def summary_text(report: dict[str, Any]) -> str:
    t = report["totals"]
    lines = [f"{_usd(t['cost_micros'])} over {t['calls']:,} calls, "
             f"{_change(t['cost_micros'], report['previous_totals']['cost_micros'])}."]
    if report["by_model"]:
        lines.append("Top models: " + ", ".join(f"{r['name']} {_usd(r['cost_micros'])}"
                                                 for r in report["by_model"][:3]))
    if report["by_workflow"]:
        lines.append("Top workflows: " + ", ".join(f"{r['name']} {_usd(r['cost_micros'])}"
                                                    for r in report["by_workflow"][:3]))
    lines.append(f"Savings vs baseline: {_usd(t['savings_micros'])}.")
    return "\n".join(lines)


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_report(report: dict[str, Any], data_dir: Path) -> tuple[Path, Path]:
    folder = data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"weekly-{report['to']}"
    md, js = folder / f"{stem}.md", folder / f"{stem}.json"
    _write_private(md, render_markdown(report))
    _write_private(js, json.dumps(report, indent=2) + "\n")
    return md, js
