"""The engine on awkward input: empty, huge, binary, repeated; tracebacks split across reads."""

from __future__ import annotations

from pathlib import Path

from fleetdeck.services.store import Store
from fleetdeck.services.triage.collect import errors_in_lines
from fleetdeck.services.triage.engine import MAX_TEXT, Engine, ErrorItem, record_error
from fleetdeck.services.triage.tail import FileState, tail
import re


def test_blank_huge_and_binary_texts_are_handled_and_a_repeated_dedupe_key_counts_once(store: Store) -> None:
    engine = Engine(store)
    r = engine.ingest([
        ErrorItem("log", "   "),
        ErrorItem("log", "ERROR " + "x" * (MAX_TEXT * 2), dedupe_key="a"),
        ErrorItem("log", "ERROR \ufffd\ufffd\x00 bad bytes 0x7f", dedupe_key="b"),
        ErrorItem("log", "ERROR \ufffd\ufffd\x00 bad bytes 0x7f", dedupe_key="b"),
    ])
    assert (r.events, r.duplicates) == (2, 1)
    flags, size = store.query_one("SELECT flags, length(text) FROM error_events WHERE dedupe_key = 'a'")
    assert flags == "truncated" and size == MAX_TEXT


def test_a_message_groups_title_starts_at_its_first_word_not_the_lines_timestamp(store: Store) -> None:
    for i in range(3):
        record_error(store, source="log", text=f"2026-11-23 18:3{i}:53 ERROR db: connection to 10.0.8.{i}:5432"
                                                f" timed out after {i + 10}s")
    signature, title = store.query_one("SELECT signature, title FROM error_groups")
    assert signature == "msg:<*> ERROR db: connection to <*> timed out after <*>", "the signature keeps it all"
    assert title == "ERROR db: connection to <*> timed out after <*>"


def test_template_state_is_saved_and_reloaded_from_the_database(store: Store) -> None:
    for user in ("root", "admin", "oracle", "guest", "test"):
        record_error(store, source="log", text=f"Failed password for {user} from 10.0.0.1 port 22 ssh2")
    groups = store.query("SELECT signature, count FROM error_groups")
    assert [tuple(g) for g in groups] == [("msg:Failed password for <*> from <*> port <*> <*>", 5)]
    assert store.scalar("SELECT count(*) FROM triage_templates") == 1


def test_a_traceback_cut_by_the_end_of_the_file_is_read_again_when_complete(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("ERROR one\nTraceback (most recent call last):\n  File \"x.py\", line 1, in f\n")
    lines, state = tail(log, FileState())
    items, hold = errors_in_lines(lines, str(log), re.compile("ERROR"))
    assert [i.text for i in items] == ["ERROR one"] and hold == len("ERROR one\n")
    with log.open("a") as f:
        f.write("    g()\nValueError: bad\nINFO ok\n")
    lines, _ = tail(log, FileState(state.dev, state.inode, hold, state.head[: 2 * hold]))
    items, hold = errors_in_lines(lines, str(log), re.compile("ERROR"))
    assert hold is None and len(items) == 1 and items[0].text.endswith("ValueError: bad")
