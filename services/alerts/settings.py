"""[budgets] (spend limits per period) and [alerts] (thresholds, spike detection)."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting

PERIODS = ("daily", "weekly", "monthly")
SCOPES = ("workflow", "model", "project")


def valid_budget(value: Any) -> str | None:
    """A budget is a dollar amount (key daily/weekly/monthly) or a table {period, usd, workflow|model|project}."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value > 0 else "a budget must be more than $0"
    if not isinstance(value, dict):
        return "expected dollars (daily = 20) or a table {period = \"daily\", usd = 5, workflow = \"name\"}"
    unknown = set(value) - {"period", "usd", *SCOPES}
    if unknown:
        return f"unknown budget field(s): {', '.join(sorted(unknown))}"
    if value.get("period") not in PERIODS:
        return f"period must be one of {', '.join(PERIODS)}"
    usd = value.get("usd")
    if not isinstance(usd, (int, float)) or isinstance(usd, bool) or usd <= 0:
        return "usd must be a number above 0"
    if sum(1 for s in SCOPES if s in value) > 1:
        return "a budget is for one workflow, model or project, not several"
    return None


def _valid_thresholds(value: Any) -> str | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, (int, float)) and 0 < v <= 1000
                                                           for v in value):
        return "expected a list of percentages, e.g. [85, 95, 100]"
    return None


SECTIONS = [
    Section(
        "budgets",
        "Spend budgets in dollars: daily/weekly/monthly = USD for everything, or\n"
        "# name = { period = \"daily\", usd = 5, workflow = \"review\" } (or model = ..., project = ...)",
        (
            Setting("thresholds", [85, 95, 100], "Alert when spend crosses these percentages of a budget.",
                    kind="list", validate=_valid_thresholds),
        ),
        open=True,
        open_validate=valid_budget,
    ),
    Section(
        "alerts",
        "Spend alerts",
        (
            Setting("spike_enabled", True, "Alert when the last hour's spend is far above normal.", kind="bool"),
            Setting("spike_factor", 3.0, "Spike when the last hour exceeds this many times the usual rate.",
                    kind="float"),
            Setting("spike_min_usd", 2.0, "Never call an hour under this many dollars a spike.", kind="float"),
            Setting("weekly_report_top", 5, "Rows per table in the weekly report.", kind="int"),
        ),
    ),
]
