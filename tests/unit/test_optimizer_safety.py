"""The optimizer holds model answers to a strict schema and only auto-applies small, allowed, in-place changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetdeck.services.optimizer.patches import judge
from fleetdeck.services.optimizer.review import Improvement, SchemaError, parse_review, review_file

OPTS = {"allowed_change_types": ["add_sentence"], "max_added_lines": 5, "max_deleted_lines": 1}
GOOD = "--- a/AGENTS.md\n+++ b/AGENTS.md\n@@ -1 +1,2 @@\n # A\n+line\n"


def imp(file="AGENTS.md", patch=GOOD, kind="add_sentence") -> Improvement:
    return Improvement(file, "why", kind, patch)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "AGENTS.md").write_text("# A\n")
    return tmp_path


def verdict(ws: Path, improvement: Improvement, listed=("AGENTS.md", "SOUL.md")):
    return judge(improvement, reviewed="AGENTS.md", listed=list(listed), workspace=ws, opts=OPTS)


def test_a_small_allowed_change_to_the_reviewed_file_is_applied(ws):
    assert verdict(ws, imp()).action == "apply"


@pytest.mark.parametrize("bad", [
    imp(file="../AGENTS.md"),
    imp(file="SOUL.md"),
    imp(file="/etc/passwd"),
    imp(patch=GOOD.replace("a/AGENTS.md", "a/../x").replace("b/AGENTS.md", "b/../x")),
    imp(patch="just some prose"),
    imp(patch="diff --git a/AGENTS.md b/AGENTS.md\nnew file mode 100755\n" + GOOD),
])
def test_changes_reaching_outside_the_reviewed_file_are_rejected(ws, bad):
    assert verdict(ws, bad).action == "reject"


def test_a_symlinked_file_is_never_patched(ws, tmp_path_factory):
    target = tmp_path_factory.mktemp("elsewhere") / "t.md"
    target.write_text("# A\n")
    (ws / "AGENTS.md").unlink()
    (ws / "AGENTS.md").symlink_to(target)
    assert verdict(ws, imp()).action == "reject"


def test_disallowed_types_and_big_changes_stay_suggestions(ws):
    assert verdict(ws, imp(kind="rewrite_section")).action == "suggest"
    two_deletions = "--- a/AGENTS.md\n+++ b/AGENTS.md\n@@ -1,2 +0,0 @@\n-# A\n-b\n"
    assert "deletes 2" in verdict(ws, imp(patch=two_deletions)).reason
    many = GOOD + "".join(f"+l{i}\n" for i in range(6))
    assert verdict(ws, imp(patch=many)).action == "suggest"


def test_answers_must_match_the_schema():
    good = {"score": 80, "issues": [{"severity": "low", "file": "A", "text": "t"}],
            "improvements": [{"file": "A", "rationale": "r", "change_type": "add_sentence", "patch": "p"}]}
    assert parse_review("```json\n" + json.dumps(good) + "\n```").score == 80
    for bad in ({**good, "score": 101}, {**good, "score": "80"}, {**good, "extra": 1},
                {**good, "issues": [{"severity": "urgent", "text": "t"}]},
                {**good, "improvements": [{"file": "A", "change_type": "delete_everything", "rationale": "",
                                           "patch": ""}]}):
        with pytest.raises(SchemaError):
            parse_review(json.dumps(bad))


def test_one_repair_retry_then_give_up():
    answers = iter(["nope", "still nope", json.dumps({"score": 1})])
    asked = []

    def ask(messages):
        asked.append(messages)
        return next(answers)

    with pytest.raises(SchemaError):
        review_file(ask, "A.md", "text", ["A.md"])
    assert len(asked) == 2
