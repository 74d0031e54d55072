"""The simulated agent reads keys and bracketed pastes like a real agent, even when a paste arrives in pieces."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fleetdeck.services.agents.sim import Sim, parse_script


def make(tmp_path: Path, script: str) -> tuple[Sim, Path]:
    record = tmp_path / "rec.jsonl"
    args = argparse.Namespace(kind="claude", speed=1.0, work=2.0, record=str(record), context_start=30,
                              script=script, scenario="idle")
    sim = Sim(args)
    sim.next_step()
    return sim, record


def entries(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_a_paste_split_across_reads_arrives_whole(tmp_path: Path) -> None:
    sim, record = make(tmp_path, "idle")
    text = "one; C-c \"two\"\n\x1b[1mthree\x1b[0m ✓"
    data = b"\x1b[200~" + text.encode() + b"\x1b[201~\r"
    for i in range(0, len(data), 3):  # worst case: every marker split
        sim.feed(data[i:i + 3])
    assert entries(record)[0]["text"] == text
    assert sim.state == "working"


def test_clear_resets_context_and_permission_keys_answer(tmp_path: Path) -> None:
    sim, record = make(tmp_path, "idle,permission,permission")
    sim.feed(b"/clear\r")
    assert sim.context == 100 and sim.state == "idle"
    sim.feed(b"go\r")
    sim.next_step()  # the work after the prompt is over
    assert sim.state == "permission"
    sim.feed(b"y")
    sim.next_step()
    sim.feed(b"\x1b")
    sim.flush_pending()  # what the main loop does when no more bytes follow the ESC
    assert [e.get("answer") for e in entries(record) if e["type"] == "permission"] == ["yes", "no"]
    assert [e["type"] for e in entries(record)] == ["clear", "prompt", "permission", "permission"]


def test_script_parsing() -> None:
    assert parse_script("working:3, permission,idle:5,loop") == [
        ("working", "3"), ("permission", None), ("idle", "5"), ("loop", None)]
