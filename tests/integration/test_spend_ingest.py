"""Transcript ingest: exact totals against a straightforward count, incremental, crash-safe, bad files skipped."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fleetdeck.services.spend.ingest import ingest
from fleetdeck.services.spend.pricing import Pricer
from fleetdeck.services.store import Store

GEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_claude_logs.py"
SUMS = "SELECT count(*), total(input_tokens), total(output_tokens), total(cache_read_tokens), total(cache_write_tokens) FROM api_calls"


def generate(out: Path, mb: float, seed: int = 3) -> Path:
    if not GEN.exists():
        pytest.skip("../shared/bench/gen_claude_logs.py is not beside the repository")
    subprocess.run([sys.executable, str(GEN), str(out), str(mb), str(seed)], check=True, capture_output=True)
    return out


def reference_count(root: Path) -> tuple[tuple[int, int, int, int, int], int]:
    """The plain way: parse every line, count each message.id+requestId once (most tokens wins)."""
    best: dict[str, tuple[int, int, int, int]] = {}
    torn = 0
    for path in root.rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                torn += 1
                continue
            usage = (obj.get("message") or {}).get("usage") if isinstance(obj.get("message"), dict) else None
            if not usage:
                continue
            u = (usage.get("input_tokens", 0), usage.get("output_tokens", 0),
                 usage.get("cache_read_input_tokens", 0), usage.get("cache_creation_input_tokens", 0))
            key = f"{obj['message']['id']}:{obj['requestId']}"
            if key not in best or sum(u) > sum(best[key]):
                best[key] = u
    totals = tuple(sum(v[i] for v in best.values()) for i in range(4))
    return (len(best), *totals), torn


def sums(store: Store) -> tuple[int, ...]:
    return tuple(int(v) for v in store.query_one(SUMS))


_ROLLUP = ("calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_micros,"
           " baseline_cost_micros, unknown_calls, unknown_tokens, errors")


def rollup(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.query(f"SELECT hour, model, workflow, {_ROLLUP} FROM api_calls_hourly"
                                          " WHERE calls != 0 ORDER BY 1, 2, 3")]


def rollup_of_raw_rows(store: Store) -> list[tuple]:
    """What api_calls_hourly must hold: the raw rows summed per hour, model and workflow."""
    return [tuple(r) for r in store.query(
        "SELECT at / 3600 * 3600, model, coalesce(workflow, ''), count(*), sum(input_tokens), sum(output_tokens),"
        " sum(cache_read_tokens), sum(cache_write_tokens), sum(coalesce(cost_micros, 0)),"
        " sum(CASE WHEN cost_micros IS NOT NULL THEN coalesce(baseline_cost_micros, 0) ELSE 0 END),"
        " sum(cost_micros IS NULL), sum(CASE WHEN cost_micros IS NULL THEN input_tokens + output_tokens"
        " + cache_read_tokens + cache_write_tokens ELSE 0 END), sum(status = 'error')"
        " FROM api_calls GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")]


def run_ingest(store: Store, claude: Path, warnings: list[str] | None = None):
    return ingest(store, Pricer(), claude_dirs=[claude], codex_dirs=[],
                  warn=(warnings.append if warnings is not None else None))


def test_generated_tree_matches_a_reference_count_and_a_second_run_adds_nothing(tmp_path, store) -> None:
    tree = generate(tmp_path / "claude", 3)
    expected, torn = reference_count(tree)
    stats = run_ingest(store, tree)
    assert sums(store) == expected
    assert stats.torn_lines == torn
    again = run_ingest(store, tree)
    assert (again.rows_added, again.bytes_read, again.files_read) == (0, 0, 0)
    assert sums(store) == expected


@pytest.mark.parametrize("parallel", [False, True], ids=["written-in-place", "written-by-a-child-process"])
def test_the_hourly_rollup_matches_the_raw_rows_after_ingest_and_later_inserts(tmp_path, store, monkeypatch,
                                                                               parallel) -> None:
    import fleetdeck.services.spend.ingest as ingest_mod
    from fleetdeck.services.spend import log_api_call

    monkeypatch.setattr(ingest_mod, "BATCH_ROWS", 300)  # many batches, and copies of one call in different ones
    monkeypatch.setattr(ingest_mod, "PARALLEL_BYTES", 0 if parallel else 1 << 40)
    tree = generate(tmp_path / "claude", 1.5, seed=5)
    expected, _ = reference_count(tree)
    first = sorted(tree.rglob("*.jsonl"))[0]
    lines = first.read_bytes().splitlines(keepends=True)
    first.write_bytes(b"".join(lines[: len(lines) // 2]))  # the rest arrives later, in a second run
    run_ingest(store, tree)
    with first.open("ab") as fh:
        fh.write(b"".join(lines[len(lines) // 2:]))
    run_ingest(store, tree)
    assert sums(store) == expected
    assert rollup(store) == rollup_of_raw_rows(store)
    log_api_call(model="haiku", workflow="later", input_tokens=5, output_tokens=7, store=store)
    assert rollup(store) == rollup_of_raw_rows(store), "the rollup trigger is in place again after ingest"


def test_appending_ingests_only_the_new_lines_and_a_bigger_copy_updates_the_call(tmp_path, store) -> None:
    session = tmp_path / "claude" / "projects" / "-home-me-app" / "s1.jsonl"
    session.parent.mkdir(parents=True)

    def line(mid: str, out: int, ts: str = "2026-11-01T10:00:00.000Z") -> str:
        return json.dumps({"type": "assistant", "sessionId": "s1", "cwd": "/home/me/app", "requestId": "req_" + mid,
                           "timestamp": ts, "message": {"id": mid, "model": "claude-haiku-4-5",
                                                        "usage": {"input_tokens": 10, "output_tokens": out,
                                                                  "cache_read_input_tokens": 0,
                                                                  "cache_creation_input_tokens": 0}}}) + "\n"

    session.write_text(line("m1", 5) + line("m2", 7))
    first = run_ingest(store, tmp_path / "claude")
    assert first.rows_added == 2
    extra = line("m2", 70) + line("m3", 1)  # m2 streamed on: its later copy carries more tokens
    with session.open("a") as fh:
        fh.write(extra)
    second = run_ingest(store, tmp_path / "claude")
    assert second.bytes_read == len(extra.encode())
    assert second.rows_added == 1
    assert dict(store.query("SELECT dedupe_key, output_tokens FROM api_calls")) == {
        "claude:m1:req_m1": 5, "claude:m2:req_m2": 70, "claude:m3:req_m3": 1}
    row = store.query_one("SELECT * FROM api_calls WHERE dedupe_key = 'claude:m2:req_m2'")
    assert (row["session"], row["project_dir"], row["source"]) == ("s1", "/home/me/app", "claude")
    assert row["cost_micros"] == 10 * 1 + 70 * 5
    assert rollup(store) == rollup_of_raw_rows(store)


def test_batches_merged_into_one_transaction_keep_the_biggest_copy_and_an_exact_rollup(store) -> None:
    """The writer process commits the batches waiting for it together; a call whose copies sit in several of
    them (and in an earlier run) ends up stored once, with its biggest copy, and the rollup equals the rows."""
    from fleetdeck.services.spend.batches import Batch, write_batch, write_batches
    from fleetdeck.services.spend.record import RowBuilder

    build = RowBuilder(Pricer()).row
    hour = 1_790_000_000 // 3600 * 3600

    def row(key: str, out: int, at: int = hour + 60, model: str = "claude-haiku-4-5") -> tuple:
        return build(at, model, "claude-code", "s", None, "/p", 1, out, 0, 0, "claude", key, None)

    assert write_batch(store, Batch([row("old", 5), row("small", 9)], [])) == 2
    added = write_batches(store, [
        Batch([row("a", 10), row("old", 50, at=hour + 4000)], []),  # a bigger copy of a call stored earlier
        Batch([row("b", 3, model="mystery-model"), row("a", 30, at=hour + 7300)], []),  # "a" grew
        Batch([row("a", 20), row("small", 1)], []),  # smaller copies change nothing
        Batch([], [("/t/f.jsonl", "claude", 10, 10, 1, 1, 0, None, None)]),
    ])
    assert added == 2
    assert dict(store.query("SELECT dedupe_key, output_tokens FROM api_calls")) == {
        "old": 50, "small": 9, "a": 30, "b": 3}
    assert store.scalar("SELECT at FROM api_calls WHERE dedupe_key = 'a'") == hour + 7300
    assert rollup(store) == rollup_of_raw_rows(store)
    assert store.scalar("SELECT offset FROM ingest_files WHERE path = '/t/f.jsonl'") == 10


def test_the_writer_grows_its_cache_and_transactions_with_the_run_within_bounds() -> None:
    from fleetdeck.services.spend.batches import MAX_CACHE_KIB, MIN_CACHE_KIB, writer_sizes

    small, medium, big, huge = (writer_sizes(n, 2_000) for n in (20 << 20, 200 << 20, 1 << 30, 50 << 30))
    assert small == (10_000, MIN_CACHE_KIB)
    assert medium[1] == MIN_CACHE_KIB, "a run of a few hundred MB keeps the small footprint"
    assert big[0] > small[0] and MIN_CACHE_KIB < big[1] <= MAX_CACHE_KIB
    assert huge == (50_000, MAX_CACHE_KIB), "memory stays bounded however much there is to read"


def test_ingested_calls_are_priced_like_logged_ones(tmp_path, store) -> None:
    from fleetdeck.services.spend.record import COLUMNS, build_row

    f = tmp_path / "c" / "projects" / "p" / "s.jsonl"
    f.parent.mkdir(parents=True)
    cases = {"m1": ("claude-sonnet-4-5", 40, 900, 250_000, 3_000),  # past the long-context tier
             "m2": ("claude-sonnet-4-5", 40, 900, 10_000, 3_000), "m3": ("haiku", 1, 2, 3, 4),
             "m4": ("mystery-model-9", 5, 6, 7, 8), "m5": ("<synthetic>", 10, 20, 30, 40)}
    f.write_text("".join(json.dumps({
        "type": "assistant", "sessionId": "s", "requestId": "r" + mid, "timestamp": "2026-11-01T10:00:00Z",
        "message": {"id": mid, "model": model, "usage": {"input_tokens": i, "output_tokens": o,
                                                       "cache_read_input_tokens": cr,
                                                       "cache_creation_input_tokens": cw}}}) + "\n"
        for mid, (model, i, o, cr, cw) in cases.items()))
    run_ingest(store, tmp_path / "c")
    fields = ("model", "provider", "cost_micros", "baseline_cost_micros")
    for mid, (model, i, o, cr, cw) in cases.items():
        row = store.query_one(f"SELECT {', '.join(fields)} FROM api_calls WHERE dedupe_key = ?", (f"claude:{mid}:r{mid}",))
        logged = dict(zip(COLUMNS, build_row(Pricer(), model=model, workflow="w", input_tokens=i, output_tokens=o,
                                             cache_read_tokens=cr, cache_write_tokens=cw, at=0)))
        assert tuple(row) == tuple(logged[k] for k in fields), model
    synthetic = store.query_one("SELECT cost_micros, baseline_cost_micros FROM api_calls WHERE model = '<synthetic>'")
    assert tuple(synthetic) == (0, 0), "no API call was made: nothing spent, nothing saved against the baseline"


def test_a_store_with_synthetic_calls_priced_as_savings_is_corrected_on_upgrade(tmp_path) -> None:
    """Migration 0014: `<synthetic>` rows stored with a baseline cost (counted as savings) get none, and the
    hourly rollup follows."""
    from fleetdeck.services.store import connect
    from fleetdeck.services.store.migrate import migrate
    from tests.fakes.spend_rows import add_calls

    path = tmp_path / "v13.db"
    conn = connect(path)
    assert migrate(conn, upto=13) == 13
    conn.close()
    with Store.open(path, migrate_schema=False) as old:
        add_calls(old, [(1_790_000_000, "<synthetic>", None, "s", "/p", 10, 20, 0, 0, 0, 4_500, 5, "ok", "claude"),
                        (1_790_000_100, "claude-sonnet-4-5", None, "s", "/p", 10, 20, 0, 0, 330, 330, 5, "ok",
                         "claude")])
    with Store.open(path) as store:
        assert dict(store.query("SELECT model, baseline_cost_micros FROM api_calls")) == {
            "<synthetic>": 0, "claude-sonnet-4-5": 330}
        assert rollup(store) == rollup_of_raw_rows(store)


def test_calls_are_attributed_to_the_fleetdeck_session(tmp_path, store) -> None:
    store.execute("INSERT INTO sessions (key, name, agent_session_id, workflow, created_at)"
                  " VALUES ('k', 'agent-1', 'abc', 'refactor', 0)")
    f = tmp_path / "c" / "projects" / "p" / "abc.jsonl"
    f.parent.mkdir(parents=True)
    f.write_text(json.dumps({"type": "assistant", "sessionId": "abc", "requestId": "r", "cwd": "/x",
                             "timestamp": "2026-11-01T10:00:00Z",
                             "message": {"id": "m", "model": "claude-sonnet-4-5", "usage": {"output_tokens": 3}}}) + "\n")
    run_ingest(store, tmp_path / "c")
    row = store.query_one("SELECT s.name, a.workflow FROM api_calls a JOIN sessions s ON s.id = a.fleet_session_id")
    assert tuple(row) == ("agent-1", "refactor")


def test_binary_non_jsonl_and_huge_lines_are_skipped_with_a_warning_naming_the_file(tmp_path, store, monkeypatch) -> None:
    import fleetdeck.services.spend.ingest as ingest_mod

    monkeypatch.setattr(ingest_mod, "MAX_LINE", 1024)
    d = tmp_path / "c" / "projects" / "p"
    d.mkdir(parents=True)
    (d / "bin.jsonl").write_bytes(b"\x00\x01\x02garbage" * 10)
    (d / "text.jsonl").write_text("hello, this is not json\n")
    good = json.dumps({"type": "assistant", "sessionId": "s", "requestId": "r", "timestamp": "2026-11-01T10:00:00Z",
                       "message": {"id": "m", "model": "claude-haiku-4-5", "usage": {"output_tokens": 4}}})
    (d / "huge.jsonl").write_text('{"type":"user","x":"' + "z" * 5000 + '"}\n' + good + "\n")
    warnings: list[str] = []
    stats = run_ingest(store, tmp_path / "c", warnings)
    assert sorted(Path(p).name for p, _ in stats.skipped_files) == ["bin.jsonl", "text.jsonl"]
    assert stats.huge_lines == 1
    assert any("huge.jsonl" in w for w in warnings) and any("bin.jsonl" in w for w in warnings)
    assert sums(store)[:3] == (1, 0, 4), "the good line after the huge one still counts"
    assert run_ingest(store, tmp_path / "c").files_read == 0, "skipped files are not re-read or re-warned"


def test_codex_rollouts_count_differences_of_cumulative_totals(tmp_path, store) -> None:
    f = tmp_path / "codex" / "sessions" / "2026" / "11" / "01" / "rollout-2026-11-01T10-00-00-abc.jsonl"
    f.parent.mkdir(parents=True)

    def tc(ts: str, inp: int, cached: int, out: int) -> str:
        return json.dumps({"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": {
            "total_token_usage": {"input_tokens": inp, "cached_input_tokens": cached, "output_tokens": out,
                                  "reasoning_output_tokens": 0, "total_tokens": inp + out}}}}) + "\n"

    f.write_text(json.dumps({"timestamp": "2026-11-01T10:00:00Z", "type": "session_meta",
                             "payload": {"id": "sess-1", "cwd": "/w"}}) + "\n"
                 + json.dumps({"timestamp": "2026-11-01T10:00:01Z", "type": "turn_context",
                               "payload": {"model": "gpt-5", "cwd": "/w"}}) + "\n"
                 + tc("2026-11-01T10:00:05Z", 1000, 200, 50) + tc("2026-11-01T10:00:06Z", 1000, 200, 50))
    ingest(store, Pricer(), claude_dirs=[], codex_dirs=[tmp_path / "codex"])
    with f.open("a") as fh:
        fh.write(tc("2026-11-01T10:01:00Z", 3000, 1200, 80))
    ingest(store, Pricer(), claude_dirs=[], codex_dirs=[tmp_path / "codex"])
    rows = [tuple(r) for r in store.query("SELECT model, session, project_dir, input_tokens, cache_read_tokens,"
                                          " output_tokens FROM api_calls ORDER BY at")]
    assert rows == [("gpt-5", "sess-1", "/w", 800, 200, 50), ("gpt-5", "sess-1", "/w", 1000, 1000, 30)]


@pytest.mark.parametrize("parallel_mb", ["1000", "0"], ids=["written-in-place", "written-by-a-child-process"])
def test_kill_9_mid_ingest_then_rerun_gives_exact_totals(tmp_path, paths, parallel_mb) -> None:
    tree = generate(tmp_path / "claude", 2.5, seed=11)
    expected, _ = reference_count(tree)
    # Small batches: many commits, so a reader polling beside it sees a part-way state even when a loaded
    # machine lets the writer catch up on many queued batches at once.
    env = {**os.environ, "FLEETDECK_INGEST_BATCH_ROWS": "5", "FLEETDECK_INGEST_PARALLEL_MB": parallel_mb}
    # The service itself in a child process (the CLI adds only start-up time to this test).
    code = ("import sys; from pathlib import Path; from fleetdeck.services.store import Store;"
            " from fleetdeck.services.spend.ingest import ingest; from fleetdeck.services.spend.pricing import Pricer;"
            " ingest(Store.open(sys.argv[1]), Pricer(), claude_dirs=[Path(sys.argv[2])], codex_dirs=[])")
    cmd = [sys.executable, "-c", code, str(paths.db_file), str(tree)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{paths.db_file}?mode=ro", uri=True, timeout=0.2) as conn:
                partial = conn.execute("SELECT count(*) FROM api_calls").fetchone()[0]
        except sqlite3.Error:
            partial = 0
        if partial > 0:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < partial < expected[0], "the kill landed mid-ingest"
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    with Store.open(paths.db_file) as store:
        assert sums(store) == expected
        assert rollup(store) == rollup_of_raw_rows(store)


def test_a_failing_writer_process_stops_the_run_with_its_reason_and_a_rerun_is_exact(tmp_path, store,
                                                                                      monkeypatch) -> None:
    import fleetdeck.services.spend.ingest as ingest_mod
    from fleetdeck.services.errors import FleetdeckError

    monkeypatch.setattr(ingest_mod, "PARALLEL_BYTES", 0)
    tree = generate(tmp_path / "claude", 1, seed=2)
    expected, _ = reference_count(tree)
    store.execute("CREATE TRIGGER refuse BEFORE INSERT ON api_calls BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(FleetdeckError, match="disk says no"):
        run_ingest(store, tree)
    assert sums(store)[0] == 0 and store.scalar("SELECT count(*) FROM ingest_files") == 0
    store.execute("DROP TRIGGER refuse")
    run_ingest(store, tree)
    assert sums(store) == expected
