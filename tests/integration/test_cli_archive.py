"""`fleetdeck archive show` on archives as they are found: whole, or damaged on the disk."""

from __future__ import annotations

import json
import time
from pathlib import Path

from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store
from tests.helpers import run_cli


def test_a_damaged_archive_shows_what_it_can_then_says_so_in_one_line(paths: Paths) -> None:
    store = Store.open(paths.db_file)
    old = int(time.time()) - 100 * 86400
    store.executemany("INSERT INTO activity_log (at, source, message) VALUES (?, 'agent', ?)",
                      [(old + i, f"old event {i} " + "x" * 200) for i in range(400)])
    store.close()
    assert run_cli(["run", "cleanup"]).returncode == 0
    (batch,) = json.loads(run_cli(["archive", "list", "--json"]).stdout)
    archive = Path(batch["file"])
    whole = run_cli(["archive", "show", "--json"])
    assert whole.returncode == 0 and len(whole.stdout.splitlines()) == 400
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # the disk lost its second half
    damaged = run_cli(["archive", "show", "--json"])
    assert damaged.returncode == 65  # was: internal error 70
    lines = damaged.stderr.strip().splitlines()
    assert len(lines) == 1 and str(archive) in lines[0] and "internal error" not in lines[0]
    assert 0 < len(damaged.stdout.splitlines()) < 400  # what could be read came out
    assert run_cli(["archive", "show", "--limit", "-1"]).returncode == 64
