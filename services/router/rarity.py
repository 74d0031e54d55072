"""How common a prompt's words are in everyday English: rare vocabulary marks a hard question in any subject.

Word identities do not carry from one subject to the next, but how rare the words are does: a question full
of terms a general corpus hardly uses ("epistasis", "heteroskedasticity") is harder for a cheap model whatever
the field. The frequencies come from the `wordfreq` package's small English list (about 29,000 words, Zipf
scale: log10 of uses per billion words, 3.0 = once per million), which ships inside the package; nothing is
downloaded. The list is read once, on the first prompt scored, straight from the package's data file (8 ms
warm, up to 30 ms CPU in a fresh process; importing wordfreq itself would cost 0.3 s more for its tokenizers,
which these measures do not need).

When wordfreq is not installed the measures are left out and the difficulty model takes them as average.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import re
from functools import lru_cache
from pathlib import Path

# Words missing from the small list are rarer than its floor (Zipf 3.0); they count as this.
UNLISTED_ZIPF = 2.5
# Above this, a word is a function word ("the", "of", "which"): left out of the content-word mean.
FUNCTION_WORD_ZIPF = 6.0
RARE_ZIPF = 4.0

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _data_file() -> Path | None:
    # find_spec locates the package without importing it (its import pulls in heavy tokenizers).
    try:
        spec = importlib.util.find_spec("wordfreq")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "small_en.msgpack.gz"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def zipf_table() -> dict[str, float]:
    """Word -> Zipf frequency; empty when wordfreq's data cannot be read."""
    path = _data_file()
    if path is None:
        return {}
    import msgspec  # a fleetdeck dependency already; decodes the list's msgpack

    try:
        raw = msgspec.msgpack.decode(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError, msgspec.DecodeError):
        return {}
    # wordfreq's "cBpack" layout: a header, then one list of words per frequency step of one centibel,
    # the i-th list holding the words used with probability 10^(-i/100).
    if not (isinstance(raw, list) and raw and isinstance(raw[0], dict) and raw[0].get("format") == "cB"):
        return {}
    table: dict[str, float] = {}
    for i, words in enumerate(raw[1:]):
        zipf = 9.0 - i / 100.0
        for word in words:
            table[word] = zipf
    return table


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _measures(tokens: list[str], table: dict[str, float], prefix: str) -> dict[str, float]:
    values = sorted(table.get(w, UNLISTED_ZIPF) for w in tokens)
    n = len(values)
    content = [v for v in values if v < FUNCTION_WORD_ZIPF]
    unlisted = sum(1 for w in tokens if w not in table)
    return {
        prefix + "zipf_mean": sum(values) / n,
        prefix + "zipf_min": values[0],
        prefix + "zipf_q10": values[int(0.1 * (n - 1))],
        prefix + "zipf_q25": values[int(0.25 * (n - 1))],
        prefix + "content_zipf": sum(content) / len(content) if content else FUNCTION_WORD_ZIPF,
        prefix + "rare": sum(v < RARE_ZIPF for v in values) / n,
        prefix + "unlisted": unlisted / n,
        prefix + "unlisted_log": math.log1p(unlisted),
    }


def rarity_features(stem: str, choices: list[str]) -> dict[str, float]:
    """Word-rarity measures of the question (``rare_q_*``) and of its answer choices (``rare_c_*``).

    Empty when the frequency list is unavailable; choice measures only when there are choices.
    """
    table = zipf_table()
    if not table:
        return {}
    stem_words = words(stem)
    f = _measures(stem_words, table, "rare_q_") if stem_words else {}
    choice_words = [w for c in choices for w in words(c)]
    if choices and choice_words:
        f.update(_measures(choice_words, table, "rare_c_"))
        # Rare terms the choices repeat from the question are easier to pick than rare terms they introduce.
        rare = {w for w in choice_words if table.get(w, UNLISTED_ZIPF) < RARE_ZIPF}
        in_stem = set(stem_words)
        f["rare_c_in_question"] = sum(w in in_stem for w in rare) / len(rare) if rare else 0.0
        if stem_words:
            f["rare_c_minus_q"] = f["rare_c_zipf_mean"] - f["rare_q_zipf_mean"]
    return f
