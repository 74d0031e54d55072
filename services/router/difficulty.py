"""How hard a prompt looks: two small logistic regressions over the prompt's shape (see features.py).

One model estimates the probability that the cheap model gets the task wrong, the other that the top model
does; the routing score is P(cheap fails) x P(top succeeds). Pure Python on purpose: scoring is one pass of
regular expressions, a word-frequency look-up per word (rarity.py) and an 83-term dot product (well under a
millisecond), the coefficients ship as a small JSON file next to this module, and nothing is downloaded at run
time. ``benchmarks/router_eval.py`` trains the models on per-question correctness data (RouteLLM's MMLU
release) and measures them on held-out subjects.
"""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from .features import features

MODEL_FILE = Path(__file__).with_name("difficulty_model.json")
# Ridge strength per training prompt, on standardised features (scikit-learn's C = 0.01 at the ~7,400 prompts
# of a cross-validation fold). Chosen by leave-one-subject-out cross-validation on the tuning subjects only
# (docs/router.md); weaker penalties fit the training subjects' quirks and route the held-out ones worse.
L2 = 0.0135


@dataclass(frozen=True)
class Scaler:
    """Per-feature centre and spread, so one penalty suits every feature."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(cls, rows: Sequence[dict[str, float]]) -> Scaler:
        names = tuple(sorted({k for row in rows for k in row}))
        mean, scale = [], []
        for k in names:
            values = [row[k] for row in rows if k in row]
            m = sum(values) / len(values)
            var = sum((v - m) ** 2 for v in values) / len(values)
            mean.append(m)
            scale.append(math.sqrt(var) if var > 1e-12 else 1.0)
        return cls(names, tuple(mean), tuple(scale))

    def vector(self, row: dict[str, float]) -> list[float]:
        """Standardised values; a measure the row lacks counts as average (0)."""
        return [(row[k] - m) / s if k in row else 0.0 for k, m, s in zip(self.names, self.mean, self.scale)]


@dataclass(frozen=True)
class Model:
    """The scaler and the two heads (bias first, then one weight per feature)."""

    scaler: Scaler
    weak: tuple[float, ...]
    strong: tuple[float, ...]

    def probabilities(self, text: str) -> tuple[float, float]:
        """(P(cheap model fails), P(top model fails)) for ``text``."""
        x = self.scaler.vector(features(text))
        return _sigmoid(_dot(self.weak, x)), _sigmoid(_dot(self.strong, x))

    def gain_score(self, text: str) -> float:
        """How much sending ``text`` to the top model is worth: P(cheap fails) x P(top succeeds)."""
        weak_fails, strong_fails = self.probabilities(text)
        return weak_fails * (1.0 - strong_fails)


def _dot(weights: Sequence[float], x: Sequence[float]) -> float:
    return weights[0] + sum(w * v for w, v in zip(weights[1:], x))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _loss_and_grad(w: list[float], columns: list[list[float]], labels: Sequence[float],
                   l2: float) -> tuple[float, list[float]]:
    """Mean log-loss plus the ridge term, and its gradient (columns: one list of values per feature)."""
    n = len(labels)
    z = [w[0]] * n
    for wj, col in zip(w[1:], columns):
        if wj:
            z = list(map(lambda a, v, wj=wj: a + wj * v, z, col))
    loss = 0.0
    residual = []
    for zi, y in zip(z, labels):
        # log(1 + e^z) - y z, written to stay finite for large |z|
        loss += (zi if zi > 0 else 0.0) + math.log1p(math.exp(-abs(zi))) - y * zi
        residual.append(_sigmoid(zi) - y)
    grad = [sum(residual) / n]
    grad += [sum(map(operator.mul, residual, col)) / n + l2 * wj for wj, col in zip(w[1:], columns)]
    return loss / n + 0.5 * l2 * sum(wj * wj for wj in w[1:]), grad


def fit_head(xs: Sequence[Sequence[float]], labels: Sequence[float], *, l2: float = L2,
             iterations: int = 100, memory: int = 8) -> tuple[float, ...]:
    """Ridge-penalised logistic regression (bias not penalised), minimised by L-BFGS.

    The problem is small and convex, so a full-batch quasi-Newton method reaches the optimum in a few dozen
    passes; plain SGD stopped well short of it and ranked held-out prompts noticeably worse.
    """
    columns = [list(col) for col in zip(*xs)] if xs else []
    w = [0.0] * (len(columns) + 1)
    loss, grad = _loss_and_grad(w, columns, labels, l2)
    history: list[tuple[list[float], list[float], float]] = []
    for _ in range(iterations):
        # two-loop recursion: direction = -H grad
        q = list(grad)
        alphas = []
        for s, y, rho in reversed(history):
            a = rho * sum(map(operator.mul, s, q))
            q = [qi - a * yi for qi, yi in zip(q, y)]
            alphas.append(a)
        if history:
            s, y, _ = history[-1]
            gamma = sum(map(operator.mul, s, y)) / sum(map(operator.mul, y, y))
            q = [gamma * qi for qi in q]
        for (s, y, rho), a in zip(history, reversed(alphas)):
            b = rho * sum(map(operator.mul, y, q))
            q = [qi + (a - b) * si for qi, si in zip(q, s)]
        direction = [-qi for qi in q]
        slope = sum(map(operator.mul, direction, grad))
        if slope >= 0:  # not a descent direction: restart from steepest descent
            history.clear()
            direction = [-g for g in grad]
            slope = -sum(g * g for g in grad)
        step = 1.0 if history else 1.0 / max(1.0, math.sqrt(-slope))
        while True:  # backtracking (Armijo)
            trial = [wi + step * di for wi, di in zip(w, direction)]
            new_loss, new_grad = _loss_and_grad(trial, columns, labels, l2)
            if new_loss <= loss + 1e-4 * step * slope or step < 1e-8:
                break
            step *= 0.5
        s = [a - b for a, b in zip(trial, w)]
        y = [a - b for a, b in zip(new_grad, grad)]
        sy = sum(map(operator.mul, s, y))
        if sy > 1e-12:
            history.append((s, y, 1.0 / sy))
            del history[:-memory]
        converged = loss - new_loss < 1e-9
        w, loss, grad = trial, new_loss, new_grad
        if converged or max(abs(g) for g in grad) < 1e-6:
            break
    return tuple(w)


def train(texts: Sequence[str], weak_ok: Sequence[bool], strong_ok: Sequence[bool], **kw: float) -> Model:
    """Both heads on one set of prompts with per-prompt correctness of the cheap and the top model."""
    rows = [features(t) for t in texts]
    scaler = Scaler.fit(rows)
    xs = [scaler.vector(r) for r in rows]
    weak = fit_head(xs, [0.0 if ok else 1.0 for ok in weak_ok], **kw)
    strong = fit_head(xs, [0.0 if ok else 1.0 for ok in strong_ok], **kw)
    return Model(scaler, weak, strong)


def save(model: Model, path: Path = MODEL_FILE, meta: dict | None = None) -> None:
    s = model.scaler
    data = {"meta": meta or {}, "features": list(s.names),
            "mean": [round(v, 6) for v in s.mean], "scale": [round(v, 6) for v in s.scale],
            "weak": [round(v, 5) for v in model.weak], "strong": [round(v, 5) for v in model.strong]}
    path.write_text(json.dumps(data, indent=1) + "\n")


def load(path: Path = MODEL_FILE) -> Model | None:
    """The model in ``path``; None when it is missing or unreadable (callers then score 0.5)."""
    try:
        raw = json.loads(path.read_text())
        scaler = Scaler(tuple(raw["features"]), tuple(raw["mean"]), tuple(raw["scale"]))
        model = Model(scaler, tuple(raw["weak"]), tuple(raw["strong"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (len(scaler.names) == len(scaler.mean) == len(scaler.scale) == len(model.weak) - 1
            == len(model.strong) - 1):
        return None
    return model


@lru_cache(maxsize=1)
def shipped_model() -> Model | None:
    """The coefficients shipped with fleetdeck."""
    return load()


def difficulty(text: str) -> float:
    """Probability (0..1) that a cheap model fails on ``text``."""
    model = shipped_model()
    return model.probabilities(text)[0] if model else 0.5


def routing_score(text: str) -> float:
    """The cheap/top routing score evaluated by benchmarks/router_eval.py (higher: send it up)."""
    model = shipped_model()
    return model.gain_score(text) if model else 0.5


def load_rows(paths: Iterable[Path]) -> list[tuple[str, str, bool, bool]]:
    """(subject, prompt, weak_ok, strong_ok) from RouteLLM-style CSV files."""
    import csv

    rows = []
    for path in paths:
        subject = path.stem.removeprefix("mmlu_")
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for rec in reader:
                if len(rec) < 3:
                    continue
                rows.append((subject, rec[0], rec[1] == "True", rec[2] == "True"))
    return rows
