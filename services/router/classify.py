"""Which tier a task needs, from its text alone: keyword rules for the kind of task, the difficulty model,
and the length. Returns a level on the seed's five-step scale (0 trivial .. 4 critical) with reasons.

The task type (the rule that matched, e.g. "summarize" or "strategy") is what feedback learning keys on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .difficulty import difficulty

LEVELS = ("trivial", "simple", "medium", "complex", "critical")

# (level, task type, pattern) — the highest level that matches wins.
RULES: tuple[tuple[int, str, str], ...] = (
    (4, "critical", r"\bcritical\b|\bproduction\b|\bprod\b|\boutage\b|\bincident\b|\bsecurity\b|\bvulnerab\w*"
                    r"|\bpayments?\b|\bbilling\b|\blegal\b|\bcompliance\b|\bmedical\b|\bdata loss\b|\bsev[ -]?[01]\b"),
    (3, "strategy", r"\bstrateg\w*|\broadmap\b|\bbusiness plan\b|\bgo[- ]to[- ]market\b|\blaunch\b"),
    (3, "architecture", r"\barchitect\w*|\bsystem design\b|\bdesign (a|the) (system|service|api)\b|\bscalab\w*"),
    (3, "analysis", r"\banaly[sz]\w*|\binvestigat\w*|\broot cause\b|\bdebug\w*|\boptimi[sz]\w*|\bprove\b|\bresearch\b"),
    (3, "refactor", r"\brefactor\w*|\bmigrat\w*|\brewrite the\b"),
    (2, "code", r"\bimplement\w*|\bwrite (a |the )?(function|class|script|test|program|code)\b|\bcode\b|\bbug\b"
                r"|\bfix\b"),
    (2, "review", r"\breview\w*|\baudit\w*|\bcritique\b|\bevaluate\b"),
    (2, "generate", r"\bgenerat\w*|\bdraft\w*|\bcompose\b|\bwrite\b|\bcreate\b|\bplan\b|\bexplain\w*|\bcompare\b"),
    (1, "summarize", r"\bsummar\w*|\btl;?dr\b|\bgist\b"),
    (1, "translate", r"\btranslat\w*"),
    (1, "extract", r"\bextract\w*|\bclassif\w*|\btag\b|\blabel\b|\bcategori[sz]\w*|\bsentiment\b"),
    (1, "rewrite", r"\brephrase\b|\bparaphrase\b|\bproofread\w*|\bfix (the )?(grammar|typos?|spelling)\b"),
    (0, "format", r"\bformat\w*|\bconvert\b|\buppercase\b|\blowercase\b|\bsort\b|\bcount\b|\bspell\b"),
    (0, "chat", r"^\s*(hi|hello|hey|thanks|thank you|ping)\b"),
)
_COMPILED = tuple((level, kind, re.compile(pattern, re.I)) for level, kind, pattern in RULES)

LONG_TASK_CHARS = 4000


@dataclass
class Classification:
    level: int
    task_type: str
    difficulty: float
    reasons: list[str] = field(default_factory=list)


def classify(text: str, *, difficulty_bump: float = 0.45) -> Classification:
    matches = [(level, kind, rx.search(text)) for level, kind, rx in _COMPILED]
    matches = [(level, kind, m) for level, kind, m in matches if m]
    reasons: list[str] = []
    if matches:
        level, kind, m = max(matches, key=lambda x: x[0])
        reasons.append(f"{kind} task ('{m.group(0).strip()}') -> {LEVELS[level]}")
    else:
        level, kind = 1, "general"
        reasons.append("no task keyword matched -> simple")
    score = difficulty(text)
    if score >= difficulty_bump and level < 3:
        level += 1
        reasons.append(f"difficulty model scores {score:.2f} (>= {difficulty_bump}) -> one tier up")
    if len(text) > LONG_TASK_CHARS and level < 2:
        level = 2
        reasons.append(f"long task ({len(text)} characters) -> at least medium")
    return Classification(level, kind, score, reasons)


def level_to_index(level: int, n_tiers: int) -> int:
    """Map the five-step scale onto however many tiers are configured."""
    if n_tiers <= 1:
        return 0
    return min(n_tiers - 1, round(level * (n_tiers - 1) / (len(LEVELS) - 1)))
