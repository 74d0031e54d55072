"""Errors an agent shows on screen become triage errors, once each."""

from __future__ import annotations

from dataclasses import dataclass

from fleetdeck.services.health import pane_errors
from fleetdeck.services.health.pane_errors import extract_errors, record_pane_errors

SCREEN = """\
⏺ Bash(pytest tests/test_billing.py)
  ⎿  Traceback (most recent call last):
       File "/srv/app/billing.py", line 41, in charge
         customer = customers[user_id]
     KeyError: 4242

⏺ The test fails because the customer fixture is missing.
  ⎿  API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
❯
"""


@dataclass
class Pane:
    key: str
    screen: str


def test_a_traceback_and_an_api_error_are_extracted_whole() -> None:
    blocks = extract_errors(SCREEN)
    assert blocks[0].startswith("Traceback (most recent call last):")
    assert blocks[0].endswith("KeyError: 4242")
    assert 'File "/srv/app/billing.py", line 41, in charge' in blocks[0]
    assert blocks[1].startswith("API Error: 529")
    assert len(blocks) == 2


def test_a_traceback_still_being_printed_waits_for_a_later_poll() -> None:
    partial = "Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
    assert extract_errors(partial) == []


def test_a_quiet_screen_has_no_errors() -> None:
    assert extract_errors("❯ Try \"edit mcp.rs to...\"\n  ? for shortcuts\n") == []


def test_pane_errors_are_grouped_by_triage_and_recorded_once_per_session(store, config) -> None:  # noqa: ANN001
    panes = [Pane("demo/%1", SCREEN)]
    assert record_pane_errors(store, panes, config=config, now=1_767_225_600) == 2
    assert record_pane_errors(store, panes, config=config, now=1_767_225_602) == 0  # still on screen
    pane_errors._last_screen.clear()  # as in a new process: the store's dedupe keys still hold
    assert record_pane_errors(store, panes, config=config, now=1_767_225_604) == 0
    sources = {r[0] for r in store.query("SELECT source FROM error_events")}
    assert sources == {"session"}
