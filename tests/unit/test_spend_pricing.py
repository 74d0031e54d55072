"""Pricing: aliases, genai-prices rates with cache rules, local models, config overrides, unknown models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from decimal import Decimal

import pytest
from fleetdeck.services.errors import DataError
from fleetdeck.services.spend import log_api_call, price_call
from fleetdeck.services.spend.pricing import Pricer
from genai_prices import Usage, calc_price


@pytest.mark.parametrize("alias, full", [("haiku", "claude-haiku-4-5"), ("sonnet", "claude-sonnet-4-5"),
                                         ("Opus", "claude-opus-4-5"), ("gpt-4o", "gpt-4o"), ("gpt-5", "gpt-5")])
def test_aliases_resolve_to_full_ids(alias: str, full: str) -> None:
    assert Pricer().resolve(alias) == full


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-1", "gpt-4o",
                                   "gpt-5"])
@pytest.mark.parametrize("tokens", [(1000, 500, 0, 0), (850, 500, 100, 50), (10, 2000, 150_000, 8000),
                                    (250_000, 10, 0, 0)])
def test_cached_rates_match_genai_prices_to_the_micro_dollar(model: str, tokens: tuple) -> None:
    inp, out, cr, cw = tokens
    # genai-prices counts input *including* cached tokens; we store uncached input.
    expected = calc_price(Usage(input_tokens=inp + cr + cw, output_tokens=out, cache_read_tokens=cr,
                                cache_write_tokens=cw), model_ref=model).total_price
    got = Pricer().price(model, inp, out, cr, cw)
    assert abs(Decimal(got) - expected * 1_000_000) <= 1


def test_local_models_cost_nothing_and_unknown_models_have_no_price() -> None:
    p = Pricer()
    assert p.price("ollama/llama3.1:8b", 10**6, 10**6) == 0
    assert p.price("qwen2.5-coder", 5, 5) == 0
    assert p.price("totally-new-model", 5, 5) is None


def test_config_overrides_and_adds_prices_and_aliases() -> None:
    p = Pricer({"prices": {"my-model": {"input": 2, "output": 4}, "gpt-4o": {"input": 1, "output": 1}},
                "aliases": {"mine": "my-model"}, "baseline_model": "haiku"})
    assert p.resolve("mine") == "my-model"
    assert p.price("my-model", 1000, 1000) == 6000
    assert p.price("gpt-4o", 1000, 1000) == 2000
    assert p.rates("gpt-4o").source == "config"
    assert p.baseline(1000, 1000) == 1000 * 1 + 1000 * 5


def test_price_call_resolves_aliases() -> None:
    assert price_call("sonnet", 100_000, 0) == 300_000
    assert price_call("sonnet", 1_000_000, 0) == 6_000_000  # over 200k input: the long-context tier


def test_log_api_call_stores_resolved_model_cost_and_baseline(store) -> None:
    logged = log_api_call(model="haiku", workflow="task-generation", input_tokens=1000, output_tokens=500,
                          store=store)
    row = store.query_one("SELECT * FROM api_calls WHERE id = ?", (logged.id,))
    assert row["model"] == "claude-haiku-4-5" and row["provider"] == "anthropic"
    assert row["cost_micros"] == 1000 * 1 + 500 * 5
    assert row["baseline_cost_micros"] == 1000 * 3 + 500 * 15


def test_unknown_model_is_stored_with_unknown_cost(store) -> None:
    logged = log_api_call(model="mystery-9", workflow="w", input_tokens=1, output_tokens=1, store=store)
    assert logged.cost_micros is None
    assert store.scalar("SELECT cost_micros FROM api_calls") is None


@pytest.mark.parametrize("field, value", [("input_tokens", -1), ("output_tokens", 1.5), ("input_tokens", "ten")])
def test_bad_tokens_are_data_errors(store, field: str, value: object) -> None:
    kwargs = {"input_tokens": 1, "output_tokens": 1, field: value}
    with pytest.raises(DataError):
        log_api_call(model="sonnet", workflow="w", store=store, **kwargs)


def test_bad_workflow_and_future_time_are_data_errors(store) -> None:
    import time

    with pytest.raises(DataError):
        log_api_call(model="sonnet", workflow="bad workflow!", input_tokens=1, output_tokens=1, store=store)
    with pytest.raises(DataError):
        log_api_call(model="sonnet", workflow="w", input_tokens=1, output_tokens=1, at=time.time() + 86400,
                     store=store)


def test_background_log_api_call_lands_in_the_default_store(paths) -> None:
    from fleetdeck.services.spend import flush
    from fleetdeck.services.store import Store

    log_api_call(model="sonnet", workflow="bg", input_tokens=10, output_tokens=5)
    flush()
    with Store.open(paths.db_file) as s:
        assert s.scalar("SELECT sum(input_tokens) FROM api_calls WHERE workflow = 'bg'") == 10


def _rates_in_a_fresh_process(home: Path, models: list[str]) -> list:
    code = ("import json, sys\nfrom fleetdeck.services.spend.pricing import Pricer\np = Pricer()\n"
            f"answers = [(r.as_json() if r else None) for r in map(p.rates, {models!r})]\n"
            "print(json.dumps([answers, 'genai_prices' in sys.modules]))")
    env = {**os.environ, "FLEETDECK_HOME": str(home), "FLEETDECK_PRICE_CACHE": str(home / "prices.json")}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_genai_prices_answers_are_kept_on_disk_and_reused_without_importing_it(tmp_path) -> None:
    """The first process asks genai-prices; the next one answers the same from the cache file, unknown models
    included, without importing genai-prices. A cache written for another installation is not believed."""
    models = ["claude-sonnet-4-5-20250929", "gpt-4o", "no-such-model-xyz"]
    first, imported = _rates_in_a_fresh_process(tmp_path, models)
    assert imported and first[0]["source"].startswith("genai-prices") and first[2] is None
    again, imported = _rates_in_a_fresh_process(tmp_path, models)
    assert again == first and not imported

    cache = tmp_path / "prices.json"
    data = json.loads(cache.read_text())
    data["key"] = "another installation"
    data["models"]["gpt-4o"]["output"]["per_mtok"] = 999.0
    cache.write_text(json.dumps(data))
    answers, imported = _rates_in_a_fresh_process(tmp_path, models)
    assert answers == first and imported
