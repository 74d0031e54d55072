"""The health policies decide restarts and resumes from session rows alone (no tmux needed)."""

from __future__ import annotations

import json

from fleetdeck.services.health.policies import PolicyConfig, plan

NOW = 1_767_225_600
CFG = PolicyConfig(threshold=5, max_crash_per_hour=3, backoff_s=10)


def row(**kw):  # noqa: ANN003, ANN201
    base = {"id": 1, "name": "s1", "state": "idle", "context_left": 50, "restart_policy": "auto",
            "pane_id": "%1", "state_since": NOW - 100, "reset_at": None, "detail": None}
    return {**base, **kw}


def kinds(steps) -> list[str]:  # noqa: ANN001
    return [s.kind for s in steps]


def test_restart_with_handoff_only_at_threshold_and_only_when_idle() -> None:
    assert kinds(plan([row(context_left=5)], [], {}, NOW, CFG)) == ["handoff_restart"]
    assert kinds(plan([row(context_left=6)], [], {}, NOW, CFG)) == []
    assert kinds(plan([row(context_left=3, state="working")], [], {}, NOW, CFG)) == []
    assert kinds(plan([row(context_left=3, state="permission")], [], {}, NOW, CFG)) == []
    assert kinds(plan([row(context_left=3, restart_policy="ask")], [], {}, NOW, CFG)) == ["ask_restart"]
    assert kinds(plan([row(context_left=3, restart_policy="off")], [], {}, NOW, CFG)) == []


def test_no_second_restart_while_the_resume_is_pending_and_resume_waits_for_idle() -> None:
    pending = [{"id": 9, "session_id": 1, "kind": "resume", "due_at": NOW, "payload": json.dumps({"prompt": "go"})}]
    assert kinds(plan([row(context_left=3)], pending, {}, NOW, CFG)) == ["resume"]
    assert kinds(plan([row(context_left=3, state="working")], pending, {}, NOW, CFG)) == []


def test_crash_restarts_back_off_and_give_up_after_the_hourly_limit() -> None:
    dead = row(state="dead", state_since=NOW - 15)
    assert kinds(plan([dead], [], {}, NOW, CFG)) == ["crash_restart"]  # first wait 10 s
    assert kinds(plan([dead], [], {1: 1}, NOW, CFG)) == []  # second wait 20 s
    assert kinds(plan([dead], [], {1: 3}, NOW, CFG)) == ["crash_failed"]
    assert kinds(plan([{**dead, "detail": "failed: 3 crash restarts"}], [], {1: 3}, NOW, CFG)) == []
    assert kinds(plan([{**dead, "restart_policy": "ask"}], [], {}, NOW, CFG)) == []


def test_usage_limit_schedules_one_resume_at_the_reset_time() -> None:
    limited = row(state="usage_limited", reset_at=NOW + 600)
    steps = plan([limited], [], {}, NOW, CFG)
    assert kinds(steps) == ["schedule_resume"] and steps[0].data["due_at"] == NOW + 630
    pending = [{"id": 3, "session_id": 1, "kind": "resume", "due_at": NOW + 630, "payload": "{}"}]
    assert kinds(plan([limited], pending, {}, NOW, CFG)) == []
    assert kinds(plan([{**limited, "reset_at": NOW - 5}], [{**pending[0], "due_at": NOW - 1}], {}, NOW, CFG)) \
        == ["resume"]
