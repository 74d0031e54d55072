"""Tailing and rotating real log files: nothing lost, nothing read twice, bad input survives."""

from __future__ import annotations

import gzip
import os
import threading
import time
from pathlib import Path


from fleetdeck.services.triage.rotate import archive_foreign, disk_bytes, rotate_owned
from fleetdeck.services.triage.tail import MAX_LINE, FileState, tail


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as f:
        f.write(data)


def test_tailing_reads_each_line_once_and_waits_for_the_end_of_a_partial_line(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, b"one\ntwo\nthr")
    lines, state = tail(log, FileState())
    assert [ln.text for ln in lines] == ["one", "two"]
    _append(log, b"ee\n")
    lines, state = tail(log, state)
    assert [ln.text for ln in lines] == ["three"]
    assert tail(log, state)[0] == []


def test_rotation_by_rename_truncation_and_a_vanished_file_lose_and_repeat_nothing(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, b"a\nb\n")
    _, state = tail(log, FileState())
    _append(log, b"c\n")
    os.rename(log, tmp_path / "app.log.1")  # rotated: "c" is only in the renamed file
    lines, state2 = tail(log, state)
    assert lines == [] and state2 == state  # gone for now: keep the place
    _append(log, b"d\n")
    lines, state = tail(log, state)
    assert [ln.text for ln in lines] == ["c", "d"]
    log.write_bytes(b"")  # copytruncate
    _append(log, b"e\n")
    lines, state = tail(log, state)
    assert [ln.text for ln in lines] == ["e"]


def test_invalid_utf8_is_replaced_and_an_over_long_line_is_cut_and_flagged(tmp_path: Path) -> None:
    log = tmp_path / "bin.log"
    _append(log, b"caf\xc3\xa9 \xff\xfe error\n" + b"x" * (MAX_LINE + 5000) + b"\nafter\n")
    lines, _ = tail(log, FileState())
    assert lines[0].text == "caf\u00e9 \ufffd\ufffd error"
    assert lines[1].truncated and len(lines[1].text) == MAX_LINE
    assert [ln.text for ln in lines[2:]] == ["after"] and not lines[2].truncated


def _count_lines(paths: list[Path]) -> list[int]:
    seen = []
    for p in paths:
        data = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        for raw in data.split(b"\n"):
            raw = raw.strip(b"\0")
            if raw:
                seen.append(int(raw[:8]))
    return seen


def _writer(path: Path, stop: threading.Event, counter: list[int], reopen_each_line: bool) -> None:
    n = 0
    fd = None
    while not stop.is_set() or n < 2000:
        if reopen_each_line or fd is None:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(fd, f"{n:08d}".encode() + b"-" * 200 + b"\n")
        n += 1
        if reopen_each_line:
            os.close(fd)
        if n % 200 == 0:
            time.sleep(0.001)
    if fd is not None and not reopen_each_line:
        os.close(fd)
    counter.append(n)


def test_a_foreign_log_kept_open_by_its_writer_loses_no_line_while_archived_and_hole_punched(tmp_path: Path) -> None:
    log = tmp_path / "foreign.log"
    log.touch()
    stop, counter = threading.Event(), []
    t = threading.Thread(target=_writer, args=(log, stop, counter, False))
    t.start()
    archived, archives, freed_any = 0, [], False
    deadline = time.monotonic() + 20
    rounds = 0
    # At least six rounds, and on a busy machine as many more as it takes the writer to give two of them news.
    while rounds < 6 or (len(archives) < 2 and time.monotonic() < deadline):
        time.sleep(0.05)
        rounds += 1
        archived, archive, freed = archive_foreign(log, archived, keep=100)
        freed_any |= freed
        if archive:
            archives.append(archive)
    stop.set()
    t.join(10)
    written = counter[0]
    with log.open("rb") as f:
        f.seek(archived)
        rest = f.read()
    tail_path = tmp_path / "rest"
    tail_path.write_bytes(rest)
    seen = _count_lines(sorted(archives) + [tail_path])
    assert len(archives) >= 2
    assert seen == list(range(written))  # every line exactly once, in order
    if freed_any:
        assert disk_bytes(log) < log.stat().st_size


def test_an_owned_log_rotated_by_rename_under_a_writer_loses_no_line(tmp_path: Path) -> None:
    log = tmp_path / "owned.log"
    stop, counter = threading.Event(), []
    t = threading.Thread(target=_writer, args=(log, stop, counter, True))
    t.start()
    archives = []
    for _ in range(4):
        time.sleep(0.05)
        archives.append(rotate_owned(log, keep=100, before_compress=lambda _p: time.sleep(0.01)))
    stop.set()
    t.join(10)
    seen = sorted(_count_lines(archives + [log]))
    assert seen == list(range(counter[0]))


def test_an_archive_has_the_permissions_of_the_log_it_was_made_from(tmp_path: Path) -> None:
    for mode in (0o600, 0o640):
        owned, foreign = tmp_path / f"owned{mode:o}.log", tmp_path / f"foreign{mode:o}.log"
        for log in (owned, foreign):
            log.write_bytes(b"prompt text an agent was given\n")
            log.chmod(mode)
        archives = [rotate_owned(owned, keep=5), archive_foreign(foreign, 0, keep=5)[1]]
        assert [oct(a.stat().st_mode & 0o777) for a in archives] == [oct(mode)] * 2, "never wider than the log"
        assert gzip.decompress(archives[0].read_bytes()) == b"prompt text an agent was given\n"


def test_retention_keeps_the_newest_archives(tmp_path: Path) -> None:
    log = tmp_path / "r.log"
    for i in range(4):
        log.write_bytes(f"line {i}\n".encode())
        rotate_owned(log, keep=2)
        time.sleep(0.002)
    archives = sorted(tmp_path.glob("r.log.*.gz"))
    assert len(archives) == 2
    assert gzip.decompress(archives[-1].read_bytes()) == b"line 3\n"


def test_archive_names_sort_in_the_order_they_were_made_across_a_second_boundary(monkeypatch) -> None:  # noqa: ANN001
    """Retention deletes the first archives by name: one made just after a second begins must sort after one made
    just before it (the seconds and the fraction come from one clock reading)."""
    from fleetdeck.services.triage import rotate

    second = 1_790_000_000
    readings = iter([second * 10**9 + 999_999_000,   # the first archive: the last microsecond of a second
                     second * 10**9 + 1_000_000_100])  # the next one, just after the next second began
    monkeypatch.setattr(rotate.time, "time_ns", lambda: next(readings))  # the only clock a stamp may read
    first, then = rotate._stamp(), rotate._stamp()
    assert first < then, (first, then)
