"""Detectors read real agent screens (shared/data/agent-screens) and the simulator's screens correctly."""

from __future__ import annotations

import calendar
from pathlib import Path

import pytest

from fleetdeck.services.agents.detect import detect, guess_kind
from fleetdeck.services.agents.detect.common import context_left, parse_reset
from fleetdeck.services.agents.screens import View, render

FIXTURES = [
    ("claude", "working-1.txt", "working"),
    ("claude", "idle-1.txt", "idle"),
    ("claude", "permission-1.txt", "permission"),
    ("codex", "working-1.txt", "working"),
    ("codex", "permission-1.txt", "permission"),
    ("codex", "trust-1.txt", "permission"),
    ("codex", "idle-1.txt", "idle"),
    ("gemini", "permission-1.txt", "permission"),
    ("gemini", "idle-1.txt", "idle"),
    ("aider", "idle-1.txt", "idle"),
]
NOW = calendar.timegm((2026, 1, 1, 12, 0, 0))


@pytest.mark.parametrize(("kind", "name", "state"), FIXTURES)
def test_real_capture_is_read_as_its_state(shared_dir: Path, kind: str, name: str, state: str) -> None:
    screen = (shared_dir / "data" / "agent-screens" / kind / name).read_text()
    assert guess_kind("node", "", screen) == kind or kind in ("codex",)  # codex snapshots lack the banner
    assert detect(kind, screen).state == state


def test_claude_permission_prompt_is_returned_in_full(shared_dir: Path) -> None:
    screen = (shared_dir / "data/agent-screens/claude/permission-1.txt").read_text()
    found = detect("claude", screen)
    assert found.prompt is not None
    assert "Bash command" in found.prompt and "echo 'hi'" in found.prompt and "Esc to cancel" in found.prompt


@pytest.mark.parametrize("kind", ["claude", "codex", "gemini", "aider"])
@pytest.mark.parametrize("state", ["working", "permission", "idle", "usage_limited"])
def test_simulator_screens_are_read_as_the_state_they_draw(kind: str, state: str) -> None:
    lines, title = render(View(kind, state, 100, 42, reset_text="14:30 (UTC)", typed=""))
    found = detect(kind, "\n".join(lines), title=title, now=NOW)
    assert guess_kind("python3", title, "\n".join(lines)) == kind
    assert found.state == state
    if kind != "aider" and state != "permission":  # a permission dialog covers the footer
        assert found.context_left == 42
    if state == "usage_limited":
        assert found.reset_at == calendar.timegm((2026, 1, 1, 14, 30, 0))


def test_context_left_wordings() -> None:
    assert context_left(["Context left until auto-compact: 7%"]) == 7
    assert context_left(["12% until auto-compact"]) == 12
    assert context_left(["  58% context left · ? for shortcuts"]) == 58
    assert context_left(["gemini-2.5-pro (30% used)"]) == 70
    assert context_left(["nothing here"]) is None


def test_reset_times_are_the_next_such_time() -> None:
    assert parse_reset("Your limit will reset at 3pm (UTC).", NOW) == calendar.timegm((2026, 1, 1, 15, 0, 0))
    assert parse_reset("Try again at 11:05 AM.", NOW) == calendar.timegm((2026, 1, 2, 11, 5, 0))
    assert parse_reset("Session limit reached ∙ resets 5am", NOW) == calendar.timegm((2026, 1, 2, 5, 0, 0))
    assert parse_reset("try again in 2 hours 5 minutes", NOW) == NOW + 7500
    assert parse_reset("limit reached", NOW) is None


def test_unknown_agent_is_a_shell_and_dead_panes_are_dead() -> None:
    assert guess_kind("vim", "", "some text") == "shell"
    assert detect("shell", "$ ls").state == "unknown"
    assert detect("claude", "anything", dead=True).state == "dead"
    assert detect("shell", "Error: crashed\n$", command="bash", previous_kind="claude").state == "dead"
