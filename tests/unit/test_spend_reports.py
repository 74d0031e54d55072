"""Spend reports: sums equal the raw rows, unknown prices apart, period boundaries in the configured timezone."""

from __future__ import annotations

import json
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fleetdeck.app.cli import main
from fleetdeck.services.spend import log_api_call
from fleetdeck.services.spend.reports import covering_pass, period_label, spend_report, window
from tests.fakes.spend_rows import add_calls

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("UTC")).timestamp()


def ts(text: str, tz: str = "UTC") -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp()


def test_report_sums_equal_the_raw_rows(store) -> None:
    rng = random.Random(5)
    for _ in range(300):
        log_api_call(model=rng.choice(["haiku", "sonnet", "gpt-4o", "mystery-model", "ollama/llama3"]),
                     workflow=rng.choice(["a", "b", "c"]), input_tokens=rng.randrange(0, 5000),
                     output_tokens=rng.randrange(0, 3000), cache_read_tokens=rng.randrange(0, 90000),
                     cache_write_tokens=rng.randrange(0, 900), session=rng.choice(["s1", "s2"]),
                     at=NOW - rng.randrange(0, 20 * 86400), store=store)
    raw = store.query_one("SELECT count(*) n, sum(input_tokens) i, sum(output_tokens) o, sum(cache_read_tokens) r,"
                          " sum(cache_write_tokens) w, sum(cost_micros) c, sum(cost_micros IS NULL) u,"
                          " sum(CASE WHEN cost_micros IS NOT NULL THEN baseline_cost_micros END) b FROM api_calls")
    for by, period in (("model", None), ("workflow", "daily"), ("session", "weekly"), ("project", "monthly"),
                       (None, "daily")):
        report = spend_report(store, since=0, until=int(NOW) + 1, by=by, period=period)
        t = report.total
        assert (t.calls, t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens,
                t.cost_micros, t.unknown_calls, t.baseline_cost_micros) == tuple(raw)
        assert sum(r.calls for r in report.rows) == raw["n"]
        assert sum(r.share for r in report.rows) == pytest.approx(1.0)
    by_model = {r.group: r for r in spend_report(store, since=0, until=int(NOW) + 1).rows}
    assert by_model["mystery-model"].cost_micros == 0 and by_model["mystery-model"].unknown_calls > 0
    assert by_model["ollama/llama3"].cost_micros == 0 and by_model["ollama/llama3"].unknown_calls == 0


def test_daily_weekly_monthly_boundaries_follow_the_timezone(store) -> None:
    # 2026-10-31 23:30 in New York is already 2026-11-01 03:30 UTC.
    log_api_call(model="haiku", workflow="w", input_tokens=1, output_tokens=1,
                 at=ts("2026-10-31T23:30:00", "America/New_York"), store=store)
    log_api_call(model="haiku", workflow="w", input_tokens=2, output_tokens=2,
                 at=ts("2026-11-01T00:30:00", "America/New_York"), store=store)
    for tz, daily, monthly in (("UTC", {"2026-11-01": 2}, {"2026-11": 2}),
                               ("America/New_York", {"2026-10-31": 1, "2026-11-01": 1},
                                {"2026-10": 1, "2026-11": 1})):
        got = {r.period: r.calls for r in spend_report(store, since=0, until=int(NOW), by=None, period="daily",
                                                         timezone=tz).rows}
        assert got == daily
        got = {r.period: r.calls for r in spend_report(store, since=0, until=int(NOW), by=None, period="monthly",
                                                         timezone=tz).rows}
        assert got == monthly
    # Sunday night in Tokyo vs UTC decides the ISO week.
    log_api_call(model="haiku", workflow="w", input_tokens=1, output_tokens=1,
                 at=ts("2026-11-16T08:00:00", "Asia/Tokyo"), store=store)  # Monday in Tokyo, Sunday 23:00 UTC
    weeks = {r.period: r.calls for r in spend_report(store, since=ts("2026-11-10T00:00:00"), until=int(NOW), by=None,
                                                      period="weekly", timezone="Asia/Tokyo").rows}
    assert weeks == {"2026-W47": 1}
    weeks = {r.period: r.calls for r in spend_report(store, since=ts("2026-11-10T00:00:00"), until=int(NOW), by=None,
                                                      period="weekly", timezone="UTC").rows}
    assert weeks == {"2026-W46": 1}


def test_report_days_window_starts_at_local_midnight() -> None:
    tz = ZoneInfo("Europe/Berlin")
    since, until = window(7, None, None, tz, now=NOW)
    assert datetime.fromtimestamp(since, tz).isoformat() == "2026-11-14T00:00:00+01:00"
    assert until > NOW


def test_cli_log_then_report_json_and_csv(paths, capsys) -> None:
    assert main(["log", "sonnet", "task-generation", "1000", "500", "--cache-read", "100", "--latency-ms", "30"]) == 0
    assert main(["log", "no-such-model", "task-generation", "10", "5"]) == 0
    capsys.readouterr()
    assert main(["report", "7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["calls"] == 2 and data["total"]["unknown_calls"] == 1
    assert data["total"]["cost_micros"] == 1000 * 3 + 500 * 15 + round(100 * 0.3)
    assert data["unknown_models"] == ["no-such-model"]
    assert main(["report", "7", "--by", "workflow", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("period,group,calls") and lines[1].startswith(",task-generation,2,")
    assert main(["report", "7", "--daily"]) == 0
    assert "Unknown price: 1 calls" in capsys.readouterr().out
    assert main(["report", "7", "--by", "model"]) == 0
    table = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert "unknown" in table["no-such-model"] and "$" not in table["no-such-model"], "never shown as $0"
    assert "2 (1 unpriced)" in table["TOTAL"] and "+ unknown" in table["TOTAL"]


def test_a_model_without_a_price_has_no_money_in_json_or_csv_either(paths, capsys) -> None:
    assert main(["log", "sonnet", "task-generation", "1000", "500"]) == 0
    assert main(["log", "no-such-model", "task-generation", "10", "5"]) == 0
    capsys.readouterr()
    assert main(["report", "7", "--json"]) == 0
    rows = {r["group"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["no-such-model"]["cost_micros"] is None and rows["no-such-model"]["savings_micros"] is None
    assert rows["claude-sonnet-4-5"]["cost_micros"] == 1000 * 3 + 500 * 15
    assert main(["report", "7", "--csv"]) == 0
    cells = {line.split(",")[1]: line.split(",") for line in capsys.readouterr().out.splitlines()[1:]}
    assert cells["no-such-model"][7] == "" and cells["no-such-model"][9:11] == ["", ""], "a sum would read $0"
    assert cells["claude-sonnet-4-5"][7] == "0.010500"


def test_a_days_beyond_the_calendar_reports_everything_and_a_since_in_the_future_is_bad_data(paths, capsys) -> None:
    assert main(["log", "sonnet", "task-generation", "1000", "500"]) == 0
    capsys.readouterr()
    assert main(["report", "100000000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["calls"] == 1
    assert main(["report", "--since", "2999-01-01"]) == 65
    assert capsys.readouterr().err.strip() == "fleetdeck: --since 2999-01-01 is in the future"
    assert main(["report", "--since", "2026-01-02", "--until", "2026-01-01"]) == 64


@pytest.mark.parametrize("argv", [
    ["log", "sonnet", "w", "-5", "1"],
    ["log", "sonnet", "w", "1.5", "1"],
    ["log", "sonnet", "w", "1", "1", "--cache-read", "x"],
    ["log", "sonnet", "bad workflow", "1", "1"],
    ["log", "sonnet", "w", "1", "1", "--at", "2999-01-01"],
    ["log", "sonnet", "w", "1", "1", "--at", "yesterday-ish"],
])
def test_cli_log_rejects_bad_input_with_exit_65_and_stores_nothing(paths, capsys, argv) -> None:
    assert main(argv) == 65
    err = capsys.readouterr().err
    assert err.startswith("fleetdeck: ") and len(err.strip().splitlines()) == 1


def test_cli_prices_shows_rate_and_source(paths, capsys) -> None:
    assert main(["prices", "sonnet", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "claude-sonnet-4-5" and data["input"]["per_mtok"] == 3.0
    assert data["source"].startswith("genai-prices")


def test_hourly_rollup_answers_exactly_what_the_raw_rows_say(store) -> None:
    rng = random.Random(9)
    for _ in range(200):
        log_api_call(model=rng.choice(["haiku", "gpt-4o", "mystery"]), workflow=rng.choice(["a", "b", None]),
                     input_tokens=rng.randrange(100), output_tokens=rng.randrange(100),
                     at=NOW - rng.randrange(0, 9 * 86400), store=store)
    store.execute("UPDATE api_calls SET output_tokens = output_tokens + 7, model = 'gpt-5' WHERE id % 5 = 0")
    store.execute("DELETE FROM api_calls WHERE id % 7 = 0")

    def view(since: int, tz: str) -> list[tuple]:
        report = spend_report(store, since=since, until=int(NOW) + 1, by="model", period="daily", timezone=tz)
        return [(r.period, r.group, r.calls, r.output_tokens, r.cost_micros, r.unknown_calls) for r in report.rows]

    # since=0 is on a whole hour (the rollup answers); since=1 is not (api_calls answers).
    for tz in ("UTC", "America/New_York"):
        assert view(0, tz) == view(1, tz)
    assert view(0, "Asia/Kolkata")  # a half-hour offset: answered from api_calls, still labelled locally


def reference_report(store, since: int, until: int, by: str | None, period: str | None, tz: str) -> dict:
    """The report's rows the obvious way: every raw row labelled with its own local period."""
    zone, rows = ZoneInfo(tz), {}
    for r in store.query("SELECT * FROM api_calls WHERE at >= ? AND at < ?", (since, until)):
        label = period_label(r["at"], period, zone) if period else None
        group = {"model": r["model"], "workflow": r["workflow"] or None, "session": r["session"],
                 "project": r["project_dir"], None: None}[by]
        priced = r["cost_micros"] is not None
        tokens = r["input_tokens"] + r["output_tokens"] + r["cache_read_tokens"] + r["cache_write_tokens"]
        values = (1, r["input_tokens"], r["output_tokens"], r["cache_read_tokens"], r["cache_write_tokens"],
                  r["cost_micros"] or 0, (r["baseline_cost_micros"] or 0) if priced else 0, int(not priced),
                  0 if priced else tokens, int(r["status"] == "error"))
        total = rows.setdefault((label, group), [0] * len(values))
        for i, v in enumerate(values):
            total[i] += v
    return {k: tuple(v) for k, v in rows.items()}


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe", "Europe/Berlin"])
def test_rollup_reports_equal_the_raw_rows_in_every_timezone(store, tz) -> None:
    """Whole rollup hours plus raw rows for the hours a window end or a period boundary cuts, which in half-hour
    timezones is every local midnight."""
    rng = random.Random(11)
    start = int(ts("2026-03-01T00:00:00"))
    midnights = [int(datetime(2026, m, d, tzinfo=ZoneInfo(tz)).timestamp()) for m in (3, 4) for d in range(1, 29)]
    rows = []
    for i in range(2500):
        at = rng.choice(midnights) + rng.choice([-1801, -1, 0, 1, 1799]) if i % 2 else start + rng.randrange(60 * 86400)
        cost = rng.choice([None, rng.randrange(1, 900_000)])
        rows.append((at, rng.choice(["haiku", "sonnet", "mystery"]), rng.choice(["a", "", None]), "s", "/p",
                     rng.randrange(900), rng.randrange(900), rng.randrange(900), rng.randrange(900), cost,
                     rng.choice([None, rng.randrange(1, 900_000)]), 5, rng.choice(["ok", "error"]), "log"))
    add_calls(store, rows)
    store.execute("DELETE FROM api_calls WHERE id % 13 = 0")
    store.execute("UPDATE api_calls SET at = at + 1800, cost_micros = NULL WHERE id % 11 = 0")
    fields = ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_micros",
              "baseline_cost_micros", "unknown_calls", "unknown_tokens", "errors")
    for since, until in ((start, start + 61 * 86400), (start + 5 * 86400 + 1234, start + 40 * 86400 - 77)):
        for by in ("model", "workflow", None):
            for period in ("daily", "weekly", "monthly", None):
                report = spend_report(store, since=since, until=until, by=by, period=period, timezone=tz)
                got = {(r.period, r.group): tuple(getattr(r, f) for f in fields) for r in report.rows}
                assert got == reference_report(store, since, until, by, period, tz), (since, until, by, period)
    unknown = spend_report(store, since=start, until=start + 61 * 86400, timezone=tz).unknown_models
    assert unknown == ["haiku", "mystery", "sonnet"]


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/New_York"])
def test_session_and_project_reports_equal_the_raw_rows_over_wide_and_narrow_windows(store, tz) -> None:
    """A window over most of the data is one pass over the covering session index; a narrow one reads through
    the index on time. Both give exactly the raw rows per group and local period, with unpriced calls and errors."""
    rng = random.Random(17)
    start = int(ts("2026-03-01T00:00:00"))
    sessions, projects = ["s1", "s2", "s3", None], ["/p/a", "/p/b", None]
    add_calls(store, [(start + rng.randrange(90 * 86400), rng.choice(["haiku", "sonnet"]), rng.choice(["a", None]),
                       rng.choice(sessions), rng.choice(projects), rng.randrange(900), rng.randrange(900),
                       rng.randrange(900), rng.randrange(900), rng.choice([None, rng.randrange(1, 900_000)]),
                       rng.choice([None, rng.randrange(1, 900_000)]), 5, rng.choice(["ok", "error"]), "log")
                      for _ in range(3000)])
    fields = ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_micros",
              "baseline_cost_micros", "unknown_calls", "unknown_tokens", "errors")
    wide, narrow = (start - 86400, start + 91 * 86400), (start + 40 * 86400 + 977, start + 44 * 86400 - 5)
    assert covering_pass(store, *wide) and not covering_pass(store, *narrow)
    for since, until in (wide, narrow):
        for by in ("session", "project"):
            for period in ("daily", "weekly", "monthly", None):
                report = spend_report(store, since=since, until=until, by=by, period=period, timezone=tz)
                got = {(r.period, r.group): tuple(getattr(r, f) for f in fields) for r in report.rows}
                assert got == reference_report(store, since, until, by, period, tz), (since, until, by, period)


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])
def test_a_century_wide_window_reports_the_same_rows_as_the_raw_data(store, tz) -> None:
    """`report 36500 --daily` only cuts the part of the window that holds calls into days; the rows are still
    exactly the raw rows per local period, and an empty store or a window beside the data gives no rows."""
    rng = random.Random(5)
    start = int(ts("2026-06-01T00:00:00"))
    add_calls(store, [(start + rng.randrange(20 * 86400), rng.choice(["haiku", "sonnet"]), rng.choice(["a", None]),
                       "s", "/p", rng.randrange(900), rng.randrange(900), 0, 0, rng.choice([None, 70]), 90, 5, "ok",
                       "log") for _ in range(300)])
    since, until = window(36500, None, None, ZoneInfo(tz), NOW)
    for by in ("model", None):
        for period in ("daily", "weekly", "monthly", None):
            report = spend_report(store, since=since, until=until, by=by, period=period, timezone=tz)
            got = {(r.period, r.group): (r.calls, r.input_tokens, r.output_tokens, r.cost_micros, r.unknown_calls)
                   for r in report.rows}
            expected = {k: (v[0], v[1], v[2], v[5], v[7])
                        for k, v in reference_report(store, since, until, by, period, tz).items()}
            assert got == expected and got, (by, period)
            assert (report.since, report.until) == (since, until)  # the window asked for, not the data's
    assert spend_report(store, since=0, until=start, period="daily", timezone=tz).rows == []


def test_a_century_wide_window_over_an_empty_store_has_no_rows(store) -> None:
    since, until = window(36500, None, None, ZoneInfo("UTC"), NOW)
    report = spend_report(store, since=since, until=until, by=None, period="daily")
    assert report.rows == [] and report.total.calls == 0


def test_money_reads_as_people_write_it_negative_savings_included() -> None:
    from fleetdeck.app.output import money
    from fleetdeck.widgets.spend import usd

    assert [money(m) for m in (968_400_000, -968_400_000, -12_345_000, 4_200, None)] == [
        "$968", "-$968", "-$12.35", "$0.0042", "unknown"]
    assert [usd(m) for m in (-1_500_000_000, -2_500_000, 2_500_000)] == ["-$1,500", "-$2.50", "$2.50"]


def test_the_text_report_writes_a_loss_against_the_baseline_with_its_sign_first(paths, capsys) -> None:
    assert main(["log", "opus", "w", "100000", "1000"]) == 0  # dearer than the Sonnet baseline
    capsys.readouterr()
    assert main(["report", "7"]) == 0
    savings = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Savings"))
    assert savings.startswith("Savings vs claude-sonnet-4-5: -$") and "$-" not in savings
