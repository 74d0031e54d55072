"""Grouping benchmark: fleetdeck's masker + template miner vs Drain3 (default config) on loghub2k-dev.

Both group the same Content lines of the 8 dev systems, from the raw line to its group id, each starting cold
(fresh miner, empty caches): Drain3 one line at a time (it has no batch call), fleetdeck a system's lines as
one batch, the way the triage engine receives a tailed log's new error lines. We report grouping accuracy (GA)
per system and the mean, and lines/s of CPU time (process_time: the machine is shared, wall time would
measure the neighbours), the fastest of interleaved repeats. Prints
``ratio=<fleetdeck lines/s / Drain3 lines/s> goal=3`` and ``ga=<mean> goal_ga=0.95``.

Run: ``uv run --group bench python benchmarks/grouping.py [--quick] [--data DIR]``.
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
import time
from operator import itemgetter
from pathlib import Path

SYSTEMS = ("Apache", "BGL", "HDFS", "Hadoop", "Linux", "OpenSSH", "Spark", "Zookeeper")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub2k-dev"


def load(data: Path, system: str) -> tuple[list[str], list[str]]:
    path = data / system / f"{system}_2k.log_structured_corrected.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["Content"] for r in rows], [r["EventTemplate"] for r in rows]


def grouping_accuracy(predicted: list, truth: list[str]) -> float:
    """Share of lines whose predicted group holds exactly the lines of their true template."""
    pred_groups: dict = collections.defaultdict(set)
    true_groups: dict = collections.defaultdict(set)
    for i, (p, t) in enumerate(zip(predicted, truth)):
        pred_groups[p].add(i)
        true_groups[t].add(i)
    correct = sum(1 for i, (p, t) in enumerate(zip(predicted, truth)) if pred_groups[p] == true_groups[t])
    return correct / len(truth)


def run_fleetdeck(lines: list[str]) -> tuple[list[str], float]:
    """The lines through ``classify_batch``, as ``Engine.ingest`` classifies the error texts of a batch (a
    tailed file's new error lines: stack check, masking, mining, group signature; the same answers as
    ``classify`` one by one), then the groups renamed as the engine does after a batch (templates widen)."""
    from fleetdeck.services.triage.classify import classify_batch
    from fleetdeck.services.triage.masking import clear_caches
    from fleetdeck.services.triage.miner import Miner

    clear_caches()  # every timed run starts cold, like Drain3's fresh TemplateMiner
    miner = Miner()
    start = time.process_time()
    rows = classify_batch(miner, lines)
    # rows are (signature, kind, title, stack, masked, template_id). The engine makes one group per signature
    # the batch gave, holding the masked text and template of its first line, and after the batch renames
    # each group of a changed template to its template's signature of that text (``Engine._rekey``, which
    # starts by reading ``miner.dirty``: the counts are folded in and the changed templates listed; every
    # template of a cold batch has changed); groups renamed alike merge. The same here, with C-level maps
    # over the lines.
    dirty = miner.dirty
    signatures = list(map(itemgetter(0), rows))
    first = dict(zip(reversed(signatures), reversed(rows)))  # signature -> its first row
    templates = miner.templates
    renamed = {sig: "msg:" + templates[row[5]].signature(row[4].split())
               if row[4] is not None and row[5] in dirty else sig for sig, row in first.items()}
    groups = list(map(renamed.__getitem__, signatures))
    return groups, time.process_time() - start


def run_drain3(lines: list[str]) -> tuple[list[int], float]:
    import logging

    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    logging.getLogger("drain3").setLevel(logging.WARNING)
    miner = TemplateMiner(config=TemplateMinerConfig())
    start = time.process_time()
    ids = [miner.add_log_message(line)["cluster_id"] for line in lines]
    return ids, time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="loghub2k-dev folder")
    parser.add_argument("--quick", action="store_true", help="one pass instead of the best of --repeat")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes per system (best counts)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"dataset not found at {args.data}; nothing to measure", file=sys.stderr)
        return 69
    repeat = 1 if args.quick else max(1, args.repeat)
    totals = {"fleetdeck": [0.0, 0.0], "drain3": [0.0, 0.0]}  # [GA sum, seconds]
    n_lines = 0
    print(f"{'system':<10} {'GA fleetdeck':>12} {'GA drain3':>10} {'fleetdeck l/s':>14} {'drain3 l/s':>11}")
    for system in SYSTEMS:
        lines, truth = load(args.data, system)
        n_lines += len(lines)
        row = {}
        best: dict[str, float] = {}
        results: dict[str, list] = {}
        for _ in range(repeat):  # interleaved, so a busy machine slows both alike; the fastest run counts
            for name, runner in (("fleetdeck", run_fleetdeck), ("drain3", run_drain3)):
                groups, seconds = runner(lines)
                best[name] = min(best.get(name, seconds), seconds)
                results[name] = groups
        for name in ("fleetdeck", "drain3"):
            ga = grouping_accuracy(results[name], truth)
            totals[name][0] += ga
            totals[name][1] += best[name]
            row[name] = (ga, len(lines) / best[name])
        print(f"{system:<10} {row['fleetdeck'][0]:>12.3f} {row['drain3'][0]:>10.3f} {row['fleetdeck'][1]:>14,.0f}"
              f" {row['drain3'][1]:>11,.0f}")
    ga_ours = totals["fleetdeck"][0] / len(SYSTEMS)
    ga_drain = totals["drain3"][0] / len(SYSTEMS)
    lps_ours = n_lines / totals["fleetdeck"][1]
    lps_drain = n_lines / totals["drain3"][1]
    print(f"mean GA fleetdeck={ga_ours:.4f} drain3={ga_drain:.4f}; lines/s fleetdeck={lps_ours:,.0f}"
          f" drain3={lps_drain:,.0f}")
    print(f"ga={ga_ours:.4f} goal_ga=0.95 drain3_ga={ga_drain:.4f}")
    print(f"ratio={lps_ours / lps_drain:.2f} goal=3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
