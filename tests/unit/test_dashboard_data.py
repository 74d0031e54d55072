"""The dashboard's numbers equal the raw rows, and the page it writes stands alone."""

from __future__ import annotations

import bisect
import random
import re

import pytest
from fleetdeck.services.alerts.periods import day_starts, period_end, period_start
from fleetdeck.services.dashboard.data import dashboard_data, shape
from fleetdeck.services.dashboard.render import render_html, write_dashboard
from fleetdeck.services.dashboard.sums import Sums, collect
from fleetdeck.services.store import Store
from tests.fakes.spend_rows import add_call, add_calls

NOW = 1_767_268_800 + 5 * 86400  # 2026-01-06 12:00 UTC


def seed(store: Store) -> None:
    add_call(store, NOW - 3600, 1.25, model="claude-opus-4-1", workflow="review", session="a",
             baseline_usd=2.0, cache_read=300)
    add_call(store, NOW - 86400, 0.50, model="claude-sonnet-4-5", workflow="docs", session="b",
             project="/src/</script><b>x", baseline_usd=0.5)
    add_call(store, NOW - 2 * 86400, None, model="mystery-model", workflow="docs", session="b")
    add_call(store, NOW - 40 * 86400, 99.0)  # outside the range


def test_totals_and_series_match_the_rows_in_range(store: Store) -> None:
    seed(store)
    data = dashboard_data(store, days=7, now=NOW, tz="UTC")
    assert len(data["days"]) == 7 and data["days"][-1] == "2026-01-06"
    assert data["totals"]["cost"] == 175 and data["totals"]["calls"] == 3 and data["totals"]["unknown_calls"] == 1
    assert data["cost"][-1] == 125 and data["cost"][-2] == 50
    assert sum(sum(s["values"]) for s in data["cost_by_model"]) == 175
    assert data["baseline"][-1] == 200
    assert data["tokens"]["cache_read"][-1] == 300
    assert [r["name"] for r in data["by_workflow"]] == ["review", "docs"]
    assert data["top_sessions"][0]["name"] == "a"


def test_days_follow_the_configured_timezone(store: Store) -> None:
    add_call(store, NOW - 13 * 3600, 1.0)  # 23:00 UTC on Jan 5 is already Jan 6 in Tokyo
    tokyo = dashboard_data(store, days=3, now=NOW, tz="Asia/Tokyo")
    utc = dashboard_data(store, days=3, now=NOW, tz="UTC")
    assert tokyo["cost"][tokyo["days"].index("2026-01-06")] == 100
    assert utc["cost"][utc["days"].index("2026-01-05")] == 100


def test_the_page_makes_no_network_reference_and_cannot_be_broken_by_names(store: Store) -> None:
    seed(store)
    html = render_html(dashboard_data(store, days=7, now=NOW, tz="UTC"))
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""\b(src|href)\s*=|url\(|@import|fetch\(|XMLHttpRequest|<link""", html, re.I)
    assert html.count("</script>") == 2, "a project name closed the data script early"


def test_the_written_file_is_private(store: Store, tmp_path) -> None:  # noqa: ANN001
    seed(store)
    result = write_dashboard(store, tmp_path / "d" / "costs.html", days=30, now=NOW, tz="UTC")
    path = tmp_path / "d" / "costs.html"
    assert path.stat().st_mode & 0o777 == 0o600 and result["bytes"] == path.stat().st_size


def reference_sums(store: Store, starts: list[int], end: int) -> Sums:
    """The dashboard's sums the obvious way: every raw row, its local day by bisection over the day starts."""
    sums = Sums()
    for at, model, workflow, session, project, tin, tout, tcr, tcw, cost, base in store.query(
            "SELECT at, model, workflow, session, project_dir, input_tokens, output_tokens, cache_read_tokens,"
            " cache_write_tokens, cost_micros, baseline_cost_micros FROM api_calls"):
        if not starts[0] <= at < end:
            continue
        day = bisect.bisect_right(starts, at) - 1
        priced = cost is not None
        money = (cost if priced else 0, (base or 0) if priced else 0)
        tokens = tin + tout + tcr + tcw
        per_group = [money[0], 1, int(not priced), tokens]
        for acc, key, values in ((sums.day_model, (day, model), [*money, 1, int(not priced), tin, tout, tcr, tcw]),
                                 (sums.workflow, workflow or "(none)", per_group),
                                 (sums.project, "(none)" if project is None else project, per_group),
                                 (sums.session, "(none)" if session is None else session, per_group)):
            total = acc.setdefault(key, [0] * len(values))
            for i, v in enumerate(values):
                total[i] += v
    return sums


def window_of(days: int, tz: str, now: float = NOW) -> tuple[list[int], int]:
    end = period_end("daily", period_start("daily", now, tz), tz)
    return day_starts(period_start("daily", end - days * 86400 + 43200, tz), end - 1, tz), end


def seed_edges(store: Store, now: float = NOW) -> None:
    """A month of calls, many of them on or next to a local midnight in each timezone the tests use, some
    without a price or a workflow/session/project; then a few deleted and edited (the rollup follows by trigger)."""
    rng = random.Random(7)
    rows = []
    midnights = sorted({s for tz, _ in ZONES for s in window_of(50, tz, now)[0]})
    for i in range(3000):
        if i % 3:
            at = int(now) + 86400 - rng.randrange(55 * 86400)
        else:
            at = rng.choice(midnights) + rng.choice([-1800, -61, -1, 0, 1, 59, 1799, 1800, 3599])
        cost = rng.choice([None, 0, rng.randrange(1, 3_000_000)])
        rows.append((at, rng.choice(["opus", "sonnet", "haiku", "gpt-5", "mystery"]),
                     rng.choice(["review", "docs", "", None]), rng.choice([f"s{i % 23}", None]),
                     rng.choice(["/src/a", "/src/b", "", None]), rng.randrange(5000), rng.randrange(2000),
                     rng.randrange(40000), rng.randrange(3000), cost,
                     rng.choice([None, (cost or 0) * 2, rng.randrange(1, 3_000_000)]), 800,
                     rng.choice(["ok", "ok", "error"]), "log"))
    add_calls(store, rows)
    store.execute("DELETE FROM api_calls WHERE id % 17 = 0")
    store.execute("UPDATE api_calls SET cost_micros = NULL, at = at + 1800 WHERE id % 19 = 0")
    store.execute("UPDATE api_calls SET model = 'opus', workflow = NULL WHERE id % 23 = 0")


SPRING = 1_776_686_400  # 2026-04-20 12:00 UTC: 45 days back cross St John's and Lord Howe's DST changes
# Whole-hour offsets, half-hour offsets, a half-hour zone changing by an hour, one changing by half an hour.
ZONES = [("UTC", NOW), ("Asia/Kolkata", NOW), ("Europe/Berlin", SPRING), ("America/St_Johns", SPRING),
         ("Australia/Lord_Howe", SPRING)]


@pytest.mark.parametrize(("tz", "now"), ZONES)
@pytest.mark.parametrize("days", [45, 3, 60])
def test_the_fast_sums_equal_the_raw_rows_in_every_timezone(store: Store, tz: str, now: int, days: int) -> None:
    # 45 days: most of the table, read in one pass over the session index; 3 days: a small part, read through
    # the index on time; 60 days: every row, read without comparing times at all.
    seed_edges(store, now)
    starts, end = window_of(days, tz, now)
    if days == 60:
        store.execute("DELETE FROM api_calls WHERE at >= ?", (end,))
    expected = reference_sums(store, starts, end)
    assert expected.day_model and expected.session
    for workers in (1, 3):
        assert collect(store, starts, end, workers=workers) == expected
    assert dashboard_data(store, days=days, now=now, tz=tz) == shape(expected, starts, now=now, tz=tz)


def test_half_hour_timezones_need_more_than_whole_rollup_hours(store: Store) -> None:
    """Guards the test above: in Kolkata, days summed from whole UTC hours would be wrong on this data."""
    seed_edges(store)
    starts, end = window_of(45, "Asia/Kolkata")
    expected = reference_sums(store, starts, end)
    by_hour = [0] * len(starts)
    for hour, cost in store.query("SELECT hour, sum(cost_micros) FROM api_calls_hourly WHERE hour >= ? AND hour < ?"
                                  " GROUP BY hour", (starts[0] // 3600 * 3600, end)):
        if hour >= starts[0]:
            by_hour[bisect.bisect_right(starts, hour) - 1] += cost
    per_day = [0] * len(starts)
    for (day, _), values in expected.day_model.items():
        per_day[day] += values[0]
    assert by_hour != per_day
