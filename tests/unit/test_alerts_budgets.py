"""Budgets alert at 85 %, 95 % and 100 %, each at most once per period, in the configured timezone."""

from __future__ import annotations


import pytest

from fleetdeck.services.alerts.budgets import budget_status, check_budgets
from fleetdeck.services.config import load_config
from fleetdeck.services.errors import ConfigError
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store
from tests.fakes.spend_rows import add_call

NOON = 1_767_268_800  # 2026-01-01 12:00 UTC, a Thursday


def configure(paths: Paths, text: str):  # noqa: ANN201
    paths.config_file.write_text(text)
    return load_config(paths)


def titles(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT title FROM outbox ORDER BY id")]


def test_each_threshold_fires_once_as_spend_climbs(paths: Paths, store: Store) -> None:
    config = configure(paths, "[budgets]\ndaily = 10.0\n")
    add_call(store, NOON - 3600, 8.0)
    assert check_budgets(store, config, NOON) == []
    add_call(store, NOON - 60, 0.6)  # 86 %
    assert [f["threshold"] for f in check_budgets(store, config, NOON)] == [85]
    assert check_budgets(store, config, NOON + 60) == [], "85 % fired twice"
    add_call(store, NOON + 100, 1.0)  # 96 %
    assert [f["threshold"] for f in check_budgets(store, config, NOON + 200)] == [95]
    add_call(store, NOON + 300, 0.5)  # 101 %
    assert [f["threshold"] for f in check_budgets(store, config, NOON + 400)] == [100]
    assert check_budgets(store, config, NOON + 500) == []
    assert titles(store) == ["85% of daily budget for all spend: $8.60 of $10.00",
                             "95% of daily budget for all spend: $9.60 of $10.00",
                             "Over daily budget for all spend: $10.10 of $10.00"]


def test_a_jump_past_everything_sends_one_over_budget_alert(paths: Paths, store: Store) -> None:
    config = configure(paths, "[budgets]\ndaily = 10.0\n")
    add_call(store, NOON, 25.0)
    fired = check_budgets(store, config, NOON + 1)
    assert [f["threshold"] for f in fired] == [100]
    assert check_budgets(store, config, NOON + 2) == []
    assert len(titles(store)) == 1


def test_a_new_day_starts_a_new_period_at_local_midnight(paths: Paths, store: Store) -> None:
    config = configure(paths, '[general]\ntimezone = "America/New_York"\n[budgets]\ndaily = 10.0\n')
    # 04:00 UTC on Jan 2 is 23:00 on Jan 1 in New York: still the same local day as noon UTC Jan 1.
    add_call(store, NOON, 9.0)
    check_budgets(store, config, NOON + 1)
    add_call(store, NOON + 16 * 3600, 2.0)
    assert [f["threshold"] for f in check_budgets(store, config, NOON + 16 * 3600 + 1)] == [100]
    add_call(store, NOON + 18 * 3600, 9.0)  # 01:00 Jan 2 local: a new day
    assert [f["threshold"] for f in check_budgets(store, config, NOON + 18 * 3600 + 1)] == [85]


def test_scoped_weekly_budget_counts_only_its_workflow(paths: Paths, store: Store) -> None:
    config = configure(paths, '[budgets]\nreview = { period = "weekly", usd = 5, workflow = "review" }\n')
    add_call(store, NOON - 2 * 86400, 4.0, workflow="review")  # Tuesday, same ISO week
    add_call(store, NOON, 50.0, workflow="other")
    [status] = budget_status(store, config, NOON)
    assert status.spent_micros == 4_000_000
    assert [f["threshold"] for f in check_budgets(store, config, NOON)] == []
    add_call(store, NOON + 1, 0.5, workflow="review")
    assert [f["threshold"] for f in check_budgets(store, config, NOON + 2)] == [85]


@pytest.mark.parametrize("value, problem", [
    ('daily = -3', "more than $0"),
    ('x = { period = "hourly", usd = 1 }', "period must be one of"),
    ('x = { period = "daily", usd = 1, workflow = "a", model = "b" }', "not several"),
])
def test_invalid_budgets_are_config_errors_naming_the_key(paths: Paths, value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        configure(paths, f"[budgets]\n{value}\n")
    assert problem in str(err.value) and "budgets." in str(err.value) and err.value.exit_code == 78
