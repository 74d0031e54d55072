"""complete() against a local fake OpenAI/Anthropic server: fallback order, spend per attempt, skipping tiers."""

from __future__ import annotations

import socket

import pytest

from fleetdeck.services.config import load_config
from fleetdeck.services.errors import UnavailableError
from fleetdeck.services.router import Router
from tests.fakes.llm_server import Reply, fake_llm  # noqa: F401


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _router(paths, store, fake, *, local_url=None, timeout=5.0):
    paths.config_file.write_text(f"""
[router]
local_base_url = "{local_url or fake.openai_url}"
openai_base_url = "{fake.openai_url}"
anthropic_base_url = "{fake.anthropic_url}"
openai_api_key = "sk-test"
anthropic_api_key = "sk-ant-test"
timeout_s = {timeout}
tiers = [
  {{ name = "trivial", models = ["local:llama3.2"] }},
  {{ name = "simple", models = ["anthropic:claude-haiku-4-5"] }},
  {{ name = "medium", models = ["openai:gpt-4o"] }},
  {{ name = "complex", models = ["anthropic:claude-sonnet-4-6"] }},
  {{ name = "critical", models = ["anthropic:claude-opus-4-6"] }},
]
""")
    return Router(store, load_config(paths))


def _models(fake):
    return [r.json["model"] for r in fake.requests]


def test_an_api_error_falls_back_one_tier_up(paths, store, fake_llm):
    router = _router(paths, store, fake_llm)
    fake_llm.fail(500, "boom")
    fake_llm.queue(Reply(text="A short summary."))
    result = router.complete("Summarize this article", workflow="news")
    assert result.text == "A short summary." and result.tier == "medium"
    assert _models(fake_llm) == ["claude-haiku-4-5", "gpt-4o"]
    assert [(a.tier, a.outcome) for a in result.attempts] == [("simple", "error"), ("medium", "ok")]


def test_a_timeout_falls_back(paths, store, fake_llm):
    router = _router(paths, store, fake_llm, timeout=0.5)
    fake_llm.queue(Reply(text="too late", delay=1.5), Reply(text="in time"))
    result = router.complete("Summarize this article")
    assert result.text == "in time"
    assert [a.outcome for a in result.attempts] == ["timeout", "ok"]


def test_an_answer_that_fails_validation_falls_back(paths, store, fake_llm):
    router = _router(paths, store, fake_llm)
    fake_llm.queue(Reply(text="not json"), Reply(text="   "), Reply(text='{"ok": true}'))
    result = router.complete("Summarize this article", validate=lambda text: text.startswith("{"))
    assert [(a.tier, a.outcome) for a in result.attempts] == [("simple", "invalid"), ("medium", "empty"),
                                                              ("complex", "ok")]
    decision = store.query_one("SELECT * FROM router_decisions WHERE id = ?", (result.decision_id,))
    assert decision["outcome"] == "ok" and decision["final_tier"] == "complex"


def test_spend_is_logged_for_every_attempt_with_the_baseline(paths, store, fake_llm):
    router = _router(paths, store, fake_llm)
    fake_llm.fail(429, "slow down")
    fake_llm.queue(Reply(text="fine", input_tokens=1000, output_tokens=200))
    router.complete("Summarize this article", workflow="news")
    rows = store.query("SELECT * FROM api_calls WHERE source = 'router' ORDER BY id")
    assert [(r["model"], r["status"], r["workflow"]) for r in rows] == [
        ("claude-haiku-4-5", "error", "news"), ("gpt-4o", "ok", "news")]
    ok = rows[1]
    assert ok["input_tokens"] == 1000 and ok["output_tokens"] == 200
    assert ok["cost_micros"] > 0 and ok["baseline_cost_micros"] > ok["cost_micros"]  # gpt-4o is cheaper than sonnet
    attempts = store.query("SELECT api_call_id FROM router_attempts ORDER BY id")
    assert [a["api_call_id"] for a in attempts] == [rows[0]["id"], rows[1]["id"]]


def test_an_unreachable_tier_is_skipped_with_a_warning(paths, store, fake_llm):
    router = _router(paths, store, fake_llm, local_url=_closed_port_url())
    fake_llm.queue(Reply(text="hi there"))
    result = router.complete("hello")
    assert [(a.tier, a.outcome) for a in result.attempts] == [("trivial", "unavailable"), ("simple", "ok")]
    assert store.scalar("SELECT count(*) FROM api_calls") == 1  # no spend for a call that never happened
    learned = store.query("SELECT * FROM router_feedback")
    assert [r["verdict"] for r in learned] == ["good"]  # unreachable is not the cheap tier's fault


def test_an_error_only_when_no_tier_is_left(paths, store, fake_llm):
    router = _router(paths, store, fake_llm)
    for _ in range(5):
        fake_llm.fail(503, "overloaded")
    with pytest.raises(UnavailableError, match="no tier left"):
        router.complete("Critical production bug review")
    assert store.scalar("SELECT outcome FROM router_decisions") == "failed"


def test_repeated_fallbacks_teach_the_router_to_start_higher(paths, store, fake_llm):
    router = _router(paths, store, fake_llm)
    for _ in range(3):
        fake_llm.fail(500, "cheap model failed")
        fake_llm.queue(Reply(text="done"))
        router.complete("Summarize this article")
    assert router.route("Summarize this article")["tier"] == "medium"


def test_a_refusal_falls_back(paths, store, fake_llm):
    router = _router(paths, store, fake_llm)
    fake_llm.queue(Reply(text="I can't help with that."), Reply(text="Here is the summary."))
    result = router.complete("Summarize this article")
    assert [a.outcome for a in result.attempts] == ["refused", "ok"]
