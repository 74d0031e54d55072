"""The router picks tiers from the task text: the seed's examples, empty input, learning, the difficulty model."""

from __future__ import annotations

import pytest

from fleetdeck.app.cli import main
from fleetdeck.services.errors import DataError
from fleetdeck.services.router import Router
from fleetdeck.services.router.classify import level_to_index
from fleetdeck.services.router.difficulty import difficulty, load, shipped_model


@pytest.fixture
def router(store, config, clock):
    return Router(store, config, clock)


def test_seed_examples_route_sensibly(router):
    assert router.route("Summarize this article")["tier"] in ("trivial", "simple")
    assert router.route("Generate product launch strategy")["tier"] in ("medium", "complex", "critical")
    assert router.route("Critical production bug review")["tier"] == "critical"


def test_a_decision_says_why_and_what_it_should_cost(router, store):
    d = router.route("Summarize this article", workflow="news")
    assert d["reasons"] and d["model"].startswith("anthropic:claude-haiku")
    assert 0 < d["est_cost_usd"] < 0.01
    row = store.query_one("SELECT * FROM router_decisions WHERE id = ?", (d["decision_id"],))
    assert row["workflow"] == "news" and row["tier"] == "simple"


def test_local_tier_is_estimated_free(router):
    assert router.route("hello")["est_cost_usd"] == 0


def test_empty_task_is_refused(router):
    with pytest.raises(DataError):
        router.route("   ")


def test_empty_task_exits_65_on_the_command_line(paths, capsys):
    assert main(["route", ""]) == 65
    assert "empty task" in capsys.readouterr().err


def test_bad_feedback_raises_a_task_types_tier_and_stats_show_it(router):
    first = router.route("Summarize this article")
    assert first["tier"] == "simple"
    for _ in range(3):
        router.feedback(router.route("Summarize this article")["decision_id"], "bad")
    later = router.route("Summarize this article")
    assert later["tier"] == "medium"
    assert any("learned" in r for r in later["reasons"])
    learned = router.stats()["learned"]
    assert learned[0]["task_type"] == "summarize" and learned[0]["min_tier_name"] == "medium"


def test_a_run_of_successes_lowers_the_tier_again(store, config, clock):
    config.values["router"]["lower_after_successes"] = 2
    router = Router(store, config, clock)
    for _ in range(3):
        router.feedback(router.route("Summarize this article")["decision_id"], "bad")
    for _ in range(2):
        router.feedback(router.route("Summarize this article")["decision_id"], "good")
    assert router.route("Summarize this article")["tier"] == "simple"


def test_feedback_from_the_command_line(paths, capsys):
    assert main(["route", "Summarize this article", "--json"]) == 0
    assert main(["route", "feedback", "1", "bad"]) == 0
    assert "summarize" in capsys.readouterr().out
    assert main(["route", "feedback", "99", "good"]) == 65
    assert main(["route", "stats"]) == 0
    assert "summarize" in capsys.readouterr().out


def test_five_tiers_map_onto_fewer_configured_ones():
    assert [level_to_index(level, 3) for level in range(5)] == [0, 0, 1, 2, 2]
    assert [level_to_index(level, 5) for level in range(5)] == [0, 1, 2, 3, 4]


def test_difficulty_model_ships_and_scores_a_prompt():
    # Its per-call cost is measured by benchmarks/router_eval.py, not asserted here.
    assert shipped_model() is not None, "services/router/difficulty_model.json is missing or unreadable"
    hard = "Find the value of x if 3x^2 + 2x - 8 = 0 and x > 0.\nA. 4/3\nB. 2\nC. -2\nD. 8/3\nAnswer:"
    assert 0.0 <= difficulty(hard) <= 1.0


def test_a_task_without_answer_choices_is_judged_by_its_wording():
    # Free-form tasks have no A-D choices; the model must not read that absence as an extreme value.
    assert difficulty("Summarize this article") < 0.4
    assert difficulty("Find the value of x if 3x^2 + 2x - 8 = 0") > difficulty("Summarize this article")


def test_an_unreadable_model_file_means_no_model(tmp_path):
    broken = tmp_path / "difficulty_model.json"
    broken.write_text('{"features": ["a"], "mean": [0], "scale": [1], "weak": [0], "strong": [0, 1]}')
    assert load(broken) is None
    assert load(tmp_path / "missing.json") is None


def test_a_hard_looking_task_goes_one_tier_up(router):
    d = router.route("Find the value of x if 3x^2 + 2x - 8 = 0")
    assert d["tier"] == "medium" and any("difficulty model" in r for r in d["reasons"])


def test_the_python_api_uses_the_users_database_by_default(paths):
    from fleetdeck.services.router import feedback, route_task

    decision = route_task("Summarize this article", workflow="digest")
    assert set(decision) >= {"tier", "model", "est_cost_usd", "reasons", "decision_id"}
    assert feedback(decision["decision_id"], "good")["verdict"] == "good"
