"""Budgets: spend so far in the current period against a limit, alerting once per threshold per period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .periods import period_end, period_start
from .settings import PERIODS, SCOPES

if TYPE_CHECKING:
    from ...services.config import Config
    from ..store import Store

SCOPE_COLUMN = {"workflow": "workflow", "model": "model", "project": "project_dir"}


@dataclass(frozen=True)
class Budget:
    name: str
    period: str
    limit_micros: int
    scope: str | None = None  # workflow, model or project
    target: str | None = None

    @property
    def label(self) -> str:
        what = f"{self.scope} {self.target}" if self.scope else "all spend"
        return f"{self.period} budget for {what}"


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    period_start: int
    period_end: int
    spent_micros: int

    @property
    def percent(self) -> float:
        return 100.0 * self.spent_micros / self.budget.limit_micros


def budgets_from_config(config: "Config") -> list[Budget]:
    found: list[Budget] = []
    for name, value in config.section("budgets").items():
        if name == "thresholds":
            continue
        if isinstance(value, dict):
            scope = next((s for s in SCOPES if s in value), None)
            found.append(Budget(name, value["period"], int(round(float(value["usd"]) * 1_000_000)), scope,
                                str(value[scope]) if scope else None))
        elif name in PERIODS:
            found.append(Budget(name, name, int(round(float(value) * 1_000_000))))
    return found


def spent(store: "Store", budget: Budget, start: int, end: int) -> int:
    sql = "SELECT coalesce(sum(cost_micros), 0) FROM api_calls WHERE at >= ? AND at < ?"
    params: list[Any] = [start, end]
    if budget.scope:
        sql += f" AND {SCOPE_COLUMN[budget.scope]} = ?"
        params.append(budget.target)
    return int(store.scalar(sql, params) or 0)


def budget_status(store: "Store", config: "Config", now: float) -> list[BudgetStatus]:
    tz = str(config.get("general", "timezone", "UTC"))
    result = []
    for budget in budgets_from_config(config):
        start = period_start(budget.period, now, tz)
        end = period_end(budget.period, start, tz)
        result.append(BudgetStatus(budget, start, end, spent(store, budget, start, end)))
    return result


def _dollars(micros: int) -> str:
    return f"${micros / 1_000_000:,.2f}"


def check_budgets(store: "Store", config: "Config", now: float) -> list[dict[str, Any]]:
    """Queue an alert for each threshold newly crossed this period; return what fired.

    Every crossed threshold is recorded, but one check sends one alert per budget (the highest), so a jump
    from 0 % to 120 % says "over budget" once instead of three times.
    """
    from ..notify.outbox import enqueue

    thresholds = sorted(float(t) for t in config.get("budgets", "thresholds", [85, 95, 100]))
    fired: list[dict[str, Any]] = []
    for status in budget_status(store, config, now):
        newly: list[float] = []
        with store.write() as conn:
            for threshold in thresholds:
                if status.percent < threshold:
                    break
                key = f"budget:{status.budget.name}:{status.period_start}:{threshold:g}"
                cur = conn.execute("INSERT OR IGNORE INTO alerts_fired (key, fired_at, detail) VALUES (?, ?, ?)",
                                   (key, int(now), f"{status.percent:.1f}%"))
                if cur.rowcount:
                    newly.append(threshold)
        if not newly:
            continue
        top = newly[-1]
        budget = status.budget
        over = top >= 100
        title = (f"Over {budget.label}: {_dollars(status.spent_micros)} of {_dollars(budget.limit_micros)}"
                 if over else
                 f"{top:g}% of {budget.label}: {_dollars(status.spent_micros)} of {_dollars(budget.limit_micros)}")
        body = f"{status.percent:.0f}% used; the period ends {_iso(status.period_end)}."
        enqueue(store, source="budgets", title=title, body=body, severity="critical" if over else "warning",
                dedupe_key=f"budget:{budget.name}:{status.period_start}:{top:g}", now=now)
        fired.append({"budget": budget.name, "threshold": top, "percent": round(status.percent, 1),
                      "spent_micros": status.spent_micros, "limit_micros": budget.limit_micros})
    return fired


def _iso(ts: int) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))
