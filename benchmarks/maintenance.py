"""Benchmark: cleanup of old rows while another process inserts, and a backup vs `sqlite3 .backup`.

Cleanup: N (default 1,000,000) activity-log rows older than 90 days are archived and deleted by the real
cleanup (archive files, batched BEGIN IMMEDIATE deletes, incremental vacuum) while a second process inserts a
row every 2 ms and times each insert. Goal (issue 10): no insert waits more than 200 ms ->
``ratio=<worst insert ms / 200> goal=<=1``.

Backup: a database of --mb megabytes (default 256; the issue's anchor is 1 GB, pass --mb 1024 for it), copied
by fleetdeck's backup (VACUUM INTO + integrity_check + fsync + rename) and by `sqlite3 SRC ".backup DST"`.

    uv run python benchmarks/maintenance.py [--quick] [--rows N] [--mb MB]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def writer(db: str, stop, results) -> None:  # noqa: ANN001
    from fleetdeck.services.store import Store

    store = Store.open(db, migrate_schema=False)
    slow: list[tuple[float, float]] = []  # (wall time, ms) of inserts slower than 50 ms
    count = 0
    while not stop.is_set():
        t0 = time.perf_counter()
        store.log_activity("bench-writer", f"live row {count}")
        took = (time.perf_counter() - t0) * 1000
        if took > 50:
            slow.append((time.time(), took))
        count += 1
        time.sleep(0.002)
    store.close()
    results.put((slow, count))


def seed(db: Path, rows: int) -> None:
    from fleetdeck.services.store import Store

    # A database made with auto_vacuum=INCREMENTAL (set before the first table) lets cleanup give space
    # back in small steps instead of a blocking VACUUM.
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    conn.execute("CREATE TABLE _init (x)")
    conn.execute("DROP TABLE _init")
    conn.close()
    store = Store.open(db)
    old = int(time.time()) - 120 * 86400
    chunk = 100_000
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        store.executemany(
            "INSERT INTO activity_log (at, level, source, session_id, message, data) VALUES (?, 'info', ?, ?, ?, ?)",
            ((old + i, "agent", i % 50, f"session {i % 50} changed state to idle after {i % 997} s",
              '{"from":"working","to":"idle"}') for i in range(start, start + n)))
    store.close()


def bench_cleanup(root: Path, rows: int) -> tuple[float, float, int, int]:
    os.environ["FLEETDECK_HOME"] = str(root / "home")
    from fleetdeck.services.config import load_config
    from fleetdeck.services.maintenance.cleanup import reclaim, run_cleanup
    from fleetdeck.services.paths import resolve_paths
    from fleetdeck.services.store import Store

    paths = resolve_paths().ensure()
    seed(paths.db_file, rows)
    ctx = mp.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=writer, args=(str(paths.db_file), stop, results))
    proc.start()
    time.sleep(1.0)  # the writer is up and inserting
    store = Store.open(paths.db_file)
    marks = [time.time()]
    t0 = time.perf_counter()
    report = run_cleanup(store, load_config(paths), int(time.time()), dry_run=False, vacuum="off")
    marks.append(time.time())
    vacuum = reclaim(store.conn, "auto", 32)
    marks.append(time.time())
    took = time.perf_counter() - t0
    store.close()
    stop.set()
    slow, inserts = results.get(timeout=30)
    proc.join()

    def worst(start: float, end: float) -> float:
        return max([ms for at, ms in slow if start <= at <= end + 1], default=0.0)

    worst_ms = worst(marks[0], marks[2])
    archived = sum(r.done for r in report.rules if r.action == "archive")
    print(f"cleanup: {archived:,} rows archived+deleted in {marks[1] - marks[0]:.1f} s "
          f"(worst insert {worst(marks[0], marks[1]):.1f} ms), {vacuum['action']} {marks[2] - marks[1]:.1f} s "
          f"(worst insert {worst(marks[1], marks[2]):.1f} ms); total {took:.1f} s; writer: {inserts:,} inserts, "
          f"{len(slow)} over 50 ms, worst {worst_ms:.1f} ms")
    return took, worst_ms, archived, inserts


def make_db(path: Path, mb: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, at INTEGER, body TEXT)")
    row = "x" * 900
    per_mb = 1_000_000 // 1000
    conn.executemany("INSERT INTO blobs (at, body) VALUES (?, ?)", ((i, f"{i}:{row}") for i in range(mb * per_mb)))
    conn.commit()
    conn.close()


def bench_backup(root: Path, mb: int) -> tuple[float, float]:
    from fleetdeck.services.maintenance.dbcopy import copy_database

    src = root / "big.db"
    make_db(src, mb)
    size = src.stat().st_size / 1e6
    t0 = time.perf_counter()
    copy_database(src, root / "ours.db")
    ours = time.perf_counter() - t0
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli is None:
        print(f"backup: {size:.0f} MB database: fleetdeck {ours:.2f} s (sqlite3 CLI not installed, no anchor)")
        return ours, float("nan")
    t0 = time.perf_counter()
    subprocess.run([sqlite_cli, str(src), f".backup {root / 'cli.db'}"], check=True)
    cli = time.perf_counter() - t0
    print(f"backup: {size:.0f} MB database: fleetdeck (VACUUM INTO + integrity_check + fsync) {ours:.2f} s, "
          f"sqlite3 .backup {cli:.2f} s, backup_ratio={ours / cli:.2f}")
    return ours, cli


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows and a 32 MB database")
    parser.add_argument("--rows", type=int, default=None, help="old rows to clean up (default 1,000,000)")
    parser.add_argument("--mb", type=int, default=None, help="size of the backed-up database in MB (default 256)")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    mb = args.mb or (32 if args.quick else 256)
    root = Path(tempfile.mkdtemp(prefix="fleetdeck-bench-maint-"))
    try:
        print(f"running: cleanup of {rows:,} rows with a concurrent writer; backup of a {mb} MB database")
        _, worst_ms, _, _ = bench_cleanup(root, rows)
        bench_backup(root, mb)
        print(f"ratio={worst_ms / 200:.2f} goal=<=1 (worst insert {worst_ms:.1f} ms during cleanup of {rows:,} rows)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
