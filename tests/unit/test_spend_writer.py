"""The background writer: batches, survives a busy database, flushes at exit, stays cheap for the caller."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

from fleetdeck.services.spend.writer import BackgroundWriter
from fleetdeck.services.store import Store, connect


def test_rows_written_while_another_process_holds_the_write_lock_land_afterwards(store: Store) -> None:
    writer = BackgroundWriter(store.path, interval=0.02)
    blocker = connect(store.path)
    blocker.execute("PRAGMA busy_timeout = 0")
    blocker.execute("BEGIN IMMEDIATE")  # the database is busy: the writer must wait, not drop
    try:
        for i in range(50):
            writer.submit(model="haiku", workflow="busy", input_tokens=i, output_tokens=1)
        time.sleep(0.3)
        assert store.scalar("SELECT count(*) FROM api_calls") == 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert writer.flush(15)
    writer.close()
    assert store.scalar("SELECT count(*) FROM api_calls") == 50
    assert store.query_one("SELECT sum(input_tokens) FROM api_calls")[0] == sum(range(50))


def test_submit_from_many_threads_loses_nothing(store: Store) -> None:
    writer = BackgroundWriter(store.path, interval=0.01, batch=64)

    def work(n: int) -> None:
        for i in range(200):
            writer.submit(model="gpt-4o", workflow=f"t{n}", input_tokens=1, output_tokens=i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    assert store.scalar("SELECT count(*) FROM api_calls") == 800


def test_calls_still_buffered_at_exit_are_written(paths) -> None:
    code = textwrap.dedent("""
        from fleetdeck.services.spend import log_api_call
        for i in range(300):
            log_api_call(model="sonnet", workflow="exit", input_tokens=i, output_tokens=1)
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    with Store.open(paths.db_file) as s:
        assert s.scalar("SELECT count(*) FROM api_calls WHERE workflow = 'exit'") == 300
