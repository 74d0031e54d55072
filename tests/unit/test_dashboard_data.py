"""The dashboard's numbers equal the raw rows, and the page it writes stands alone."""

from __future__ import annotations

import re

from fleetdeck.services.dashboard.data import dashboard_data
from fleetdeck.services.dashboard.render import render_html, write_dashboard
from fleetdeck.services.store import Store
from tests.fakes.spend_rows import add_call

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


def test_parallel_chunked_aggregation_gives_the_same_numbers(store: Store, monkeypatch) -> None:  # noqa: ANN001
    import random

    import fleetdeck.services.dashboard.data as data_module

    rng = random.Random(5)
    for i in range(400):
        add_call(store, NOW - rng.randrange(20 * 86400), rng.choice([0.01, 0.5, None]),
                 model=rng.choice("abc"), workflow=rng.choice(["w1", "w2", None]), session=f"s{i % 17}",
                 project=rng.choice(["/p", "/q"]), cache_read=rng.randrange(100))
    whole = dashboard_data(store, days=30, now=NOW, tz="Europe/Berlin")
    monkeypatch.setattr(data_module, "CHUNK_ROWS", 37)
    assert data_module._chunks(store, 0, NOW + 86400) is not None
    chunked = dashboard_data(store, days=30, now=NOW, tz="Europe/Berlin")
    assert chunked == whole
