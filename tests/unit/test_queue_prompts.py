"""Adding, validating, listing, cancelling, retrying and importing prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetdeck.services.errors import DataError
from fleetdeck.services.queue.prompts import (NewPrompt, add_prompt, cancel_prompt, change_priority, get_prompt,
                                              import_jsonl, list_prompts, retry_prompt)

NOW = 1_767_225_600.0


def test_prompt_text_is_stored_verbatim_at_any_size_with_control_characters(store) -> None:
    text = "".join(chr(c) for c in range(1, 32)) + "\x7f ünïcødé 🚀 ;$(rm -rf /)'\"\\\n" * 1500
    text = (text * (100_000 // len(text) + 1))[:100_000] + "  \n\n"
    prompt_id = add_prompt(store, NewPrompt(text), now=NOW)
    assert get_prompt(store, prompt_id)["text"] == text


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_an_empty_prompt_is_refused_with_exit_65(store, text: str) -> None:
    with pytest.raises(DataError, match="empty prompt") as info:
        add_prompt(store, NewPrompt(text), now=NOW)
    assert info.value.exit_code == 65
    assert store.scalar("SELECT count(*) FROM prompts") == 0


def test_a_missing_project_dir_and_an_unknown_session_are_refused(store, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        add_prompt(store, NewPrompt("x", project_dir=str(tmp_path / "nope")), now=NOW)
    with pytest.raises(DataError, match="unknown session"):
        add_prompt(store, NewPrompt("x", session="ghost"), now=NOW)
    with pytest.raises(DataError, match="unknown agent kind"):
        add_prompt(store, NewPrompt("x", agent_kind="clippy"), now=NOW)


def test_project_dirs_are_stored_resolved(store, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    prompt_id = add_prompt(store, NewPrompt("x", project_dir=str(tmp_path / "link")), now=NOW)
    assert get_prompt(store, prompt_id)["project_dir"] == str((tmp_path / "real").resolve())


def test_list_orders_by_priority_then_age(store) -> None:
    low = add_prompt(store, NewPrompt("low", priority=0), now=NOW)
    high = add_prompt(store, NewPrompt("high", priority=5), now=NOW + 10)
    old_low = add_prompt(store, NewPrompt("older low", priority=0), now=NOW - 10)
    assert [r["id"] for r in list_prompts(store, "pending")] == [high, old_low, low]


def test_only_pending_prompts_can_be_cancelled_and_only_finished_ones_retried(store) -> None:
    prompt_id = add_prompt(store, NewPrompt("x"), now=NOW)
    with pytest.raises(DataError, match="only failed or cancelled"):
        retry_prompt(store, prompt_id, now=NOW)
    cancel_prompt(store, prompt_id, now=NOW)
    with pytest.raises(DataError, match="only pending"):
        cancel_prompt(store, prompt_id, now=NOW)
    retry_prompt(store, prompt_id, now=NOW)
    assert get_prompt(store, prompt_id)["status"] == "pending"
    assert change_priority(store, prompt_id, +2, now=NOW) == 2
    with pytest.raises(DataError, match="no prompt #999"):
        cancel_prompt(store, 999, now=NOW)


def test_import_skips_torn_lines_and_adding_the_same_file_again_adds_nothing(store) -> None:
    lines = [json.dumps({"text": "one", "priority": 2, "workflow": "w"}).encode(),
             b'{"text": "torn',
             json.dumps({"text": ""}).encode(),
             json.dumps({"text": "two\x00\x1b[31m", "agent": "codex"}).encode(),
             b"[1, 2]"]
    first = import_jsonl(store, lines, now=NOW)
    assert (first.added, first.torn, len(first.invalid)) == (2, 2, 1)
    again = import_jsonl(store, lines, now=NOW)
    assert (again.added, again.already) == (0, 2)
    texts = sorted(r[0] for r in store.query("SELECT text FROM prompts"))
    assert texts == ["one", "two\x00\x1b[31m"]
