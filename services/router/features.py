"""What a prompt looks like, as a few dozen numbers the difficulty model weighs.

Only measures that carry across subject areas: the shape of the question and its answer choices, numbers and
formulas, code, negations, multi-part statements, readability, and how rare its words are in everyday English
(rarity.py). Word identities are left out on purpose: a model that learns which words a subject uses does well
on that subject and badly on the next one (measured in benchmarks/router_eval.py, see docs/router.md).
Pure Python, a few regular expressions and one dict look-up per word per call.
"""

from __future__ import annotations

import math
import re

from .rarity import rarity_features

_OPTION = re.compile(r"^\s*([A-D])[.)]\s*(.*)$", re.M)
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_LETTERS = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MATH = re.compile(r"[=+*/^<>√∑∫×÷±≤≥∞πθ∆Δλμσ]|\\[a-z]+|\b(?:sin|cos|tan|log|ln|sqrt|lim)\b")
_LOGIC = re.compile(r"[⊃∨∧≡~•¬→↔∀∃]")
_CODE = re.compile(r"[{};]|\b(?:def|return|int|void|print|while|for|if|else|function|var|class|public|elif"
                   r"|import)\b\s*[\w(]")
_INDENT = re.compile(r"\n(?: {2,}|\t)")
_ROMAN = re.compile(r"(?:^|\s)(?:I{1,3}|IV|V|VI)[.)]\s")
_ROMAN_CHOICE = re.compile(r"^(?:(?:I{1,3}|IV|V|VI)(?:,|\s|and|only|only\.|$)+)+\.?$")
_YEAR = re.compile(r"\b1[0-9]{3}\b|\b20[0-2][0-9]\b")
_UNIT = re.compile(r"\d\s*(?:%|\$|km|m|cm|mm|kg|g|s|ms|N|J|W|V|A|K|Hz|mol|L|ml|°)\b")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
_ALL_OF = re.compile(r"\b(all|none|both|neither) of the (above|these)|\bboth\b.*\band\b", re.I)
_VERDICTS = re.compile(r"(?:true|false|wrong|not wrong|yes|no)(?:,\s*(?:true|false|wrong|not wrong|yes|no))*\.?",
                       re.I)

NEGATIONS = frozenset(("not", "except", "least", "false", "incorrect", "never", "cannot", "no", "neither", "nor"))
SHOUTED_NEGATIONS = frozenset(("NOT", "EXCEPT", "LEAST", "FALSE", "INCORRECT", "NEVER"))
FIRST_PERSON = frozenset(("i", "me", "my", "we", "our"))
# Phrases that say what kind of work the question asks for, whatever the subject.
PHRASES = ("which of the following", "what is the", "calculate", "compute", "find the", "how many", "how much",
           "determine", "estimate", "what would", "if ", "suppose", "assume", "true", "statement", "scenario",
           "best", "most likely", "primarily", "according to", "passage", "the following", "why", "when", "who")
_BLANK_ENDINGS = (" the", " of", " to", " is", " a", " an", " by", " that", " be")


def split_choices(text: str) -> tuple[str, list[str]]:
    """(question stem, answer choices) for a multiple-choice prompt; no choices for free-form tasks."""
    body = text.rsplit("Answer:", 1)[0]
    found = list(_OPTION.finditer(body))
    if len(found) < 2:
        return body, []
    return body[:found[0].start()], [m.group(2).strip() for m in found]


def _numeric(choice: str) -> bool:
    digits = sum(ch.isdigit() for ch in choice)
    return digits > 0 and digits + sum(not ch.isalpha() for ch in choice) >= 0.6 * len(choice)


def _choice_features(choices: list[str]) -> dict[str, float]:
    lengths = [len(c) for c in choices] or [0]
    mean_len = sum(lengths) / len(lengths)
    n = max(len(choices), 1)
    f = {
        "choice_len_log": math.log1p(mean_len),
        "choice_max_log": math.log1p(max(lengths)),
        "choice_spread_log": math.log1p(max(lengths) - min(lengths)),
        "choice_spread_rel": (max(lengths) - min(lengths)) / (mean_len + 1),
        "choice_numeric": sum(_numeric(c) for c in choices) / n,
        "choice_math": sum(bool(_MATH.search(c)) for c in choices) / n,
        "choice_all_of": float(any(_ALL_OF.search(c) for c in choices)),
        "choice_verdicts": float(any(_VERDICTS.fullmatch(c) for c in choices)),
        "choice_capitalised": sum(1 for c in choices if c[:1].isupper()) / n,
        "choice_short": sum(1 for c in choices if len(c.split()) <= 2) / n,
    }
    words = [{w.lower() for w in _LETTERS.findall(c)} for c in choices]
    if len(words) >= 2:
        # Choices that reuse each other's words ("True, False" / "Wrong, Not wrong") are combinations of
        # judgements, which a weak model gets wrong far more often than it picks a fact.
        overlaps = []
        for i in range(len(words)):
            for j in range(i + 1, len(words)):
                union = words[i] | words[j]
                overlaps.append(len(words[i] & words[j]) / len(union) if union else 1.0)
        vocab = set().union(*words)
        f["choice_overlap"] = sum(overlaps) / len(overlaps)
        f["choice_vocab_log"] = math.log1p(len(vocab))
        f["choice_combination"] = float(all("," in c for c in choices) and len(vocab) <= 4)
    else:
        f["choice_overlap"] = f["choice_vocab_log"] = f["choice_combination"] = 0.0
    return f


def features(text: str) -> dict[str, float]:
    """Named measures of ``text`` (unscaled; the model file carries each one's mean and spread).

    A free-form task (no A-D choices) has no ``choice_*`` entries.
    """
    stem, choices = split_choices(text)
    raw_words = _WORD.findall(stem)
    words = [w.lower() for w in raw_words]
    vocab = set(words)
    lowered = stem.lower()
    n_chars = len(stem) or 1
    numbers = _NUMBER.findall(stem)
    f = {
        "stem_len_log": math.log1p(len(stem)),
        "words_log": math.log1p(len(words)),
        "lines_log": math.log1p(stem.count("\n")),
        "digit_share": sum(ch.isdigit() for ch in stem) / n_chars,
        "numbers_log": math.log1p(len(numbers)),
        "big_numbers_log": math.log1p(sum(1 for x in numbers if len(x) >= 3 and not _YEAR.fullmatch(x))),
        "decimals_log": math.log1p(sum(1 for x in numbers if "." in x)),
        "years_log": math.log1p(len(_YEAR.findall(stem))),
        "units_log": math.log1p(len(_UNIT.findall(stem))),
        "math_log": math.log1p(len(_MATH.findall(stem))),
        "logic_log": math.log1p(len(_LOGIC.findall(text))),
        "code_log": math.log1p(len(_CODE.findall(text))),
        "indent_log": math.log1p(len(_INDENT.findall(text))),
        "roman_parts": float(bool(_ROMAN.search(stem)) or sum(bool(_ROMAN_CHOICE.match(c)) for c in choices) >= 2),
        "shouted_negation": float(any(w in SHOUTED_NEGATIONS for w in _SHOUTED.findall(stem))),
        "negations": sum(1 for w in NEGATIONS if w in vocab) / 3,
        "question_mark": float(stem.rstrip().endswith("?")),
        "fill_in": float("_" in stem or stem.rstrip().endswith(_BLANK_ENDINGS)),
        "quote": float('"' in stem or "“" in stem),
        "words_per_sentence_log": math.log1p(len(words) / max(1, len(_SENTENCE_END.findall(stem)))),
    }
    for phrase in PHRASES:
        f["says:" + phrase.strip()] = float(phrase in lowered)
    if words:
        f["word_len"] = sum(len(w) for w in words) / len(words)
        f["long_words"] = sum(len(w) >= 9 for w in words) / len(words)
        f["distinct_words"] = len(vocab) / len(words)
        f["capitalised_words"] = sum(1 for w in raw_words[1:] if w[0].isupper()) / len(words)
        f["first_person"] = sum(w in FIRST_PERSON for w in words) / len(words) * 10
        f["you"] = float("you" in vocab or "your" in vocab)
    else:
        for key in ("word_len", "long_words", "distinct_words", "capitalised_words", "first_person", "you"):
            f[key] = 0.0
    if choices:  # without answer choices these measures are unknown, not zero: the model then uses its average
        f.update(_choice_features(choices))
    f.update(rarity_features(stem, choices))
    return f
