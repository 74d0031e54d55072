"""Offline evaluation of the router's difficulty model on RouteLLM's MMLU correctness data.

weak = the cheapest capable tier (Mixtral-8x7B in the data), strong = the top tier (GPT-4). The router sees only
the prompt. Subjects are split: the model is trained on the subjects in even alphabetical positions and scored on
the others (and the reverse, reported as a second fold). Prompts RouteLLM trained on are left out of the report.

Prints the cost-accuracy curve, the strong-call share needed for 95 % of the strong model's accuracy for the router
and for random routing, the per-call latency, and `ratio=<router share> goal=0.50`.
Usage: uv run python benchmarks/router_eval.py [--quick] [--write-model]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from fleetdeck.services.router import difficulty as dm

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "routellm-mmlu"


def curve(scores: list[float], weak: list[bool], strong: list[bool], steps: int = 20) -> list[tuple[float, float]]:
    """(strong share, accuracy) when the highest-scored prompts go to the strong model."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    n = len(order)
    acc_weak = sum(weak)
    points = [(0.0, acc_weak / n)]
    correct = acc_weak
    sent = 0
    marks = {round(n * k / steps) for k in range(1, steps + 1)}
    for i in order:
        correct += int(strong[i]) - int(weak[i])
        sent += 1
        if sent in marks:
            points.append((sent / n, correct / n))
    return points


def share_needed(scores: list[float], weak: list[bool], strong: list[bool], target: float) -> float:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    n = len(order)
    correct = sum(weak)
    if correct / n >= target:
        return 0.0
    for sent, i in enumerate(order, 1):
        correct += int(strong[i]) - int(weak[i])
        if correct / n >= target:
            return sent / n
    return 1.0


def area_above_random(points: list[tuple[float, float]], weak_acc: float, strong_acc: float) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        r0 = weak_acc + x0 * (strong_acc - weak_acc)
        r1 = weak_acc + x1 * (strong_acc - weak_acc)
        total += (x1 - x0) * ((y0 - r0) + (y1 - r1)) / 2
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one fold, fewer epochs")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--write-model", action="store_true",
                    help="train on every subject and write services/router/difficulty_model.json")
    args = ap.parse_args(argv)

    files = sorted((args.data / "responses").glob("*.csv"))
    if not files:
        print(f"no data under {args.data} (skipped)")
        return 0
    contaminated: set[str] = set()
    cpath = args.data / "contaminated_prompts.jsonl"
    if cpath.exists():
        for line in cpath.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            for v in rec.values():
                if isinstance(v, str):
                    contaminated.add(v)
    rows = dm.load_rows(files)
    subjects = sorted({r[0] for r in rows})
    folds = [(set(subjects[0::2]), set(subjects[1::2]))]
    if not args.quick:
        folds.append((folds[0][1], folds[0][0]))
    epochs = 3

    all_scores: list[float] = []
    all_weak: list[bool] = []
    all_strong: list[bool] = []
    latencies: list[float] = []
    cpu_times: list[float] = []  # this thread's CPU time: wall-clock tails on a shared machine include waiting
    for k, (train_subj, test_subj) in enumerate(folds):
        train_rows = [r for r in rows if r[0] in train_subj]
        test_rows = [r for r in rows if r[0] in test_subj and r[1] not in contaminated]
        # Label: the weak model fails. (Labelling only "weak wrong, strong right" was tried: a rarer target
        # that generalised worse across subjects, 0.62 vs 0.59 strong share with shape features alone.)
        # A second model predicts the strong model failing; the score is P(weak fails) x P(strong succeeds),
        # which beat P(weak fails) alone (0.542 vs 0.556 strong share) and their difference (0.620).
        labels = [0.0 if w else 1.0 for _, _, w, _ in train_rows]
        t0 = time.perf_counter()
        weights = dm.train([r[1] for r in train_rows], labels, epochs=epochs)
        strong_w = dm.train([r[1] for r in train_rows], [0.0 if s else 1.0 for *_, s in train_rows], epochs=epochs)
        train_s = time.perf_counter() - t0
        for r in test_rows:
            t, c = time.perf_counter(), time.thread_time()
            all_scores.append(dm.gain_score(weights, strong_w, r[1]))
            latencies.append(time.perf_counter() - t)
            cpu_times.append(time.thread_time() - c)
            all_weak.append(r[2])
            all_strong.append(r[3])
        left_out = sum(1 for r in rows if r[0] in test_subj and r[1] in contaminated)
        print(f"fold {k + 1}: trained on {len(train_subj)} subjects ({len(train_rows)} prompts, {train_s:.1f}s), "
              f"reported on {len(test_subj)} subjects ({len(test_rows)} prompts; {left_out} contaminated left out)")
        print(f"  reported subjects: {', '.join(sorted(test_subj))}")

    n = len(all_scores)
    weak_acc = sum(all_weak) / n
    strong_acc = sum(all_strong) / n
    target = 0.95 * strong_acc
    points = curve(all_scores, all_weak, all_strong)
    print(f"held-out prompts: {n}  weak accuracy {weak_acc:.1%}  strong accuracy {strong_acc:.1%}  "
          f"target (95% of strong) {target:.1%}")
    print("cost-accuracy curve (strong share -> accuracy; random routing in brackets):")
    for x, y in points:
        rnd = weak_acc + x * (strong_acc - weak_acc)
        print(f"  {x:5.0%}  {y:6.2%}  [{rnd:6.2%}]")
    router_share = share_needed(all_scores, all_weak, all_strong, target)
    rng = random.Random(1)
    rand_shares = [share_needed([rng.random() for _ in range(n)], all_weak, all_strong, target) for _ in range(5)]
    random_share = sum(rand_shares) / len(rand_shares)
    analytic = (target - weak_acc) / (strong_acc - weak_acc)
    area = area_above_random(points, weak_acc, strong_acc)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"strong share for {target:.1%}: router {router_share:.1%}, random {random_share:.1%} "
          f"(line {analytic:.1%}); anchors: random ~67%, RouteLLM ~55%")
    print(f"area above random line: {area * 100:.3f} pct-points x share")
    cpu_times.sort()
    mean = sum(latencies) / len(latencies) * 1000
    cpu99 = cpu_times[int(len(cpu_times) * 0.99)] * 1000
    print(f"router latency per call (wall): p50 {p50:.3f} ms, mean {mean:.3f} ms, p99 {p99:.3f} ms; "
          f"CPU p99 {cpu99:.3f} ms (goal <= 5 ms)")

    if args.write_model:
        weights = dm.train([r[1] for r in rows], [0.0 if w else 1.0 for _, _, w, _ in rows], epochs=epochs)
        strong_w = dm.train([r[1] for r in rows], [0.0 if s else 1.0 for *_, s in rows], epochs=epochs)
        dm.save(weights, strong_w, meta={"trained_on": "routellm-mmlu, all 57 subjects",
                                         "weights": "P(Mixtral-8x7B wrong)", "strong_weights": "P(GPT-4 wrong)"})
        print(f"wrote {dm.MODEL_FILE} ({len(weights) + len(strong_w)} weights)")

    print(f"ratio={router_share:.3f}/0.50 random={random_share:.3f} goal=0.50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
