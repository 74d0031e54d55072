"""How hard a prompt looks: a small lexical model (hashed words + shape features, logistic regression).

Pure Python on purpose: scoring a prompt is a few hundred dict look-ups (well under a millisecond), the
coefficients ship as a small JSON file next to this module, and nothing is downloaded at run time.
The model estimates the probability that a cheap model gets the task wrong; it is trained by
``benchmarks/router_eval.py`` on per-question correctness data (RouteLLM's MMLU release).
"""

from __future__ import annotations

import json
import math
import random
import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

MODEL_FILE = Path(__file__).with_name("difficulty_model.json")
BUCKETS = 1 << 15
LEX_TOKENS = 250  # word features look at most at this many tokens from each end (bounds the latency)

_WORD = re.compile(r"[a-z]+|\d+|[^\sa-z\d]")
_MATH = re.compile(r"[=+\-*/^<>√∑∫]")


def _bucket(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % BUCKETS


_CUES = (
    "calculate", "compute", "find", "value", "probability", "expected", "solve", "equation", "how many",
    "what is the", "which of the following", "not", "except", "statement 1", "true, true", "least", "most",
    "best", "likely", "if", "then", "suppose", "assume", "let", "given", "total", "rate", "percent", "ratio",
    "increase", "decrease", "would", "could", "should", "argument", "passage", "following", "scenario",
    "wrong", "morally", "i ", "he ", "she ", "they ", "cost", "price", "per", "mass", "energy", "velocity",
    "function", "matrix", "integer", "prime", "sum", "product", "derivative", "integral", "code", "program",
    "output", "print", "return", "=", "^", "/", "*", "+", "(", "$", "%", "reference", "according", "author",
)
# Cues as token tuples, matched against the prompt's word n-grams (one pass, no per-cue regex scan).
_CUE_TOKENS = {cue: tuple(_WORD.findall(cue.strip())) for cue in _CUES}
_MAX_N = max(len(t) for t in _CUE_TOKENS.values())
_OPTION = re.compile(r"^\s*[A-D][.)]\s*(.*)$", re.M)


def _ngrams(tokens: list[str]) -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for n in range(1, _MAX_N + 1):
        grams.update(zip(*(tokens[i:] for i in range(n))))
    return grams


def features(text: str, *, lexical: bool = True) -> dict[int | str, float]:
    """Sparse features: shape measures and general reasoning cues, plus (optionally) hashed words.

    Shape and cue features carry across domains; hashed words mostly learn a subject's vocabulary, so they
    are kept weak by regularisation.
    """
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    feats: dict[int | str, float] = {}
    options = _OPTION.findall(text)
    stem = _OPTION.split(text)[0] if options else text
    n_chars = len(text)
    digits = sum(ch.isdigit() for ch in text)
    opt_lens = [len(o) for o in options] or [0]
    opt_digits = sum(sum(ch.isdigit() for ch in o) for o in options)
    feats["len"] = math.log1p(n_chars) / 8.0
    feats["stem_len"] = math.log1p(len(stem)) / 8.0
    feats["opt_len"] = math.log1p(sum(opt_lens) / len(opt_lens)) / 5.0
    feats["opt_spread"] = math.log1p(max(opt_lens) - min(opt_lens)) / 5.0
    feats["digits"] = min(digits / max(n_chars, 1) * 10.0, 3.0)
    feats["opt_digits"] = min(opt_digits / max(sum(opt_lens), 1) * 3.0, 3.0)
    feats["numbers"] = min(sum(t.isdigit() for t in tokens) / 10.0, 3.0)
    feats["math"] = min(len(_MATH.findall(text)) / 10.0, 3.0)
    feats["lines"] = min(text.count("\n") / 10.0, 3.0)
    feats["upper"] = min(sum(ch.isupper() for ch in text) / max(n_chars, 1) * 10.0, 3.0)
    feats["bias"] = 1.0
    if len(tokens) > 2 * LEX_TOKENS:  # long passages: the question is usually at the end, keep both ends
        tokens = tokens[:LEX_TOKENS] + tokens[-LEX_TOKENS:]
    grams = _ngrams(tokens)
    for cue, toks in _CUE_TOKENS.items():
        if toks in grams:
            feats["cue:" + cue] = 1.0
    if lexical:
        prev = "<s>"
        for tok in tokens:
            if tok.isdigit():
                tok = "<num>" if len(tok) < 3 else "<bignum>"
            feats[_bucket(tok)] = 0.3
            feats[_bucket(prev + " " + tok)] = 0.3
            prev = tok
    return feats


def _dot(weights: dict, feats: dict) -> float:
    return sum(weights.get(k, 0.0) * v for k, v in feats.items())


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(
    texts: Sequence[str],
    labels: Sequence[float],
    *,
    epochs: int = 6,
    rate: float = 0.05,
    l2: float = 1e-4,
    seed: int = 7,
) -> dict[int | str, float]:
    """Logistic regression by SGD with L2 (lazy decay is skipped; the sets are small enough)."""
    rows = [(features(t), float(y)) for t, y in zip(texts, labels)]
    weights: dict[int | str, float] = {}
    rng = random.Random(seed)
    order = list(range(len(rows)))
    for epoch in range(epochs):
        rng.shuffle(order)
        step = rate / (1.0 + epoch)
        for i in order:
            feats, y = rows[i]
            grad = _sigmoid(_dot(weights, feats)) - y
            for k, v in feats.items():
                w = weights.get(k, 0.0)
                weights[k] = w - step * (grad * v + l2 * w)
    return {k: w for k, w in weights.items() if abs(w) > 1e-6}


def predict(weights: dict, text: str) -> float:
    return _sigmoid(_dot(weights, features(text)))


def save(weights: dict, strong_weights: dict, path: Path = MODEL_FILE, meta: dict | None = None) -> None:
    data = {"buckets": BUCKETS, "meta": meta or {},
            "weights": {str(k): round(w, 4) for k, w in weights.items()},
            "strong_weights": {str(k): round(w, 4) for k, w in strong_weights.items()}}
    path.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True))


def _parse(raw: dict) -> dict[int | str, float]:
    return {int(k) if k.isdigit() else k: float(w) for k, w in raw.items()}


@lru_cache(maxsize=1)
def shipped_models() -> tuple[dict[int | str, float], dict[int | str, float]]:
    """(weak-fails, strong-fails) coefficients shipped with fleetdeck; empty (score 0.5) when missing."""
    try:
        raw = json.loads(MODEL_FILE.read_text())
    except (OSError, ValueError):
        return {}, {}
    return _parse(raw.get("weights", {})), _parse(raw.get("strong_weights", {}))


def shipped_model() -> dict[int | str, float]:
    return shipped_models()[0]


def gain_score(weak: dict, strong: dict, text: str) -> float:
    """How much sending ``text`` to the strong model is worth: P(weak fails) x P(strong succeeds)."""
    feats = features(text)
    return _sigmoid(_dot(weak, feats)) * (1.0 - _sigmoid(_dot(strong, feats)))


def difficulty(text: str) -> float:
    """Probability (0..1) that a cheap model fails on ``text``."""
    return predict(shipped_model(), text)


def routing_score(text: str) -> float:
    """The weak/strong routing score evaluated by benchmarks/router_eval.py (higher: send it up)."""
    weak, strong = shipped_models()
    return gain_score(weak, strong, text)


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
