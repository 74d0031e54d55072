"""Template mining for messages without a stack: a Drain-like online grouper over masked tokens.

Masked messages are bucketed by token count; a message joins the most similar template of its bucket when
enough of the template's constant tokens match, and the positions that differ become <*>. Exact masked texts
are cached, so repeated messages cost one dict lookup. The state is a plain list of templates (id, tokens,
count) that the caller persists in SQLite — no pickled objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import eq
from typing import Any, Iterable

from .masking import WILDCARD, mask, zeroed

SIMILARITY = 0.5  # share of a template's constant tokens a message must match to join it
# A position where a template has seen at most this many distinct words is a constant that tells groups apart
# ("Accepted"/"Failed password"); more distinct words make it a variable (user names, hosts).
MAX_CONSTANTS = 3
CACHE_SIZE = 200_000  # entries per cache; cleared when full (a cache, never the state)
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


_encode = str.encode


@dataclass
class Template:
    """A cluster of masked messages of one length; ``values`` holds the words seen where its tokens differ."""

    id: int
    tokens: list[str]
    count: int = 0
    values: dict[int, set[str]] = field(default_factory=dict)
    wild: set[int] = field(default_factory=set)  # positions holding <*>

    def __post_init__(self) -> None:
        self.wild = {i for i, tok in enumerate(self.tokens) if tok == WILDCARD}

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def signature(self, toks: list[str]) -> str:
        """The group of one masked message: the template, with few-valued positions kept as the message has them."""
        out = []
        for i, tok in enumerate(self.tokens):
            if tok == WILDCARD:
                seen = self.values.get(i)
                out.append(toks[i] if seen is not None and len(seen) <= MAX_CONSTANTS else WILDCARD)
            else:
                out.append(tok)
        return " ".join(out)


@dataclass
class Leaf:
    """One distinct masked message and the template it joined."""

    text: str
    tokens: list[str]
    template: Template
    count: int = 0


@dataclass
class Miner:
    similarity: float = SIMILARITY
    templates: dict[int, Template] = field(default_factory=dict)
    _buckets: dict[int, list[Template]] = field(default_factory=dict)
    _cache: dict[str, Leaf] = field(default_factory=dict)  # masked text -> leaf
    _seen: dict[bytes, Leaf] = field(default_factory=dict)  # message with digits zeroed -> leaf
    dirty: set[int] = field(default_factory=set)
    _next_id: int = 1

    def load_rows(self, rows: Iterable[Any]) -> None:
        """Restore templates from triage_templates rows (id, template, count, variants JSON)."""
        import json

        for tid, text, count, variants in rows:
            t = Template(int(tid), text.split(), int(count))
            t.values = {int(k): set(v) for k, v in json.loads(variants or "{}").items()}
            self.templates[t.id] = t
            self._buckets.setdefault(len(t.tokens), []).append(t)
            self._next_id = max(self._next_id, t.id + 1)

    def add(self, message: str) -> Leaf:
        """Group one message; return its leaf (the template is created or widened as needed)."""
        # Masking only looks at digit classes, never at digit values, so messages equal up to their digits
        # mask the same: a cache on that form skips the regexes for most repeated messages.
        key = zeroed(message)
        leaf = self._seen.get(key)
        if leaf is None:
            leaf = self._leaf(mask(message, key))
            if len(self._seen) >= CACHE_SIZE:
                self._seen.clear()
            self._seen[key] = leaf
        leaf.count += 1
        leaf.template.count += 1
        self.dirty.add(leaf.template.id)
        return leaf

    def add_many(self, messages: list[str]) -> list[Leaf]:
        """Group a batch: the same as ``add`` for each message in order, with the per-line work in C loops."""
        from collections import Counter
        from itertools import repeat

        keys = list(map(bytes.translate, map(_encode, messages, repeat("utf-8"), repeat("replace")),
                        repeat(_DIGITS_TO_ZERO)))
        seen = self._seen
        unique = dict(zip(keys, messages))  # first-seen order; any message of a key masks the same
        if len(seen) + len(unique) > CACHE_SIZE:
            seen.clear()
        for key in [k for k in unique if k not in seen]:
            seen[key] = self._leaf(mask(unique[key], key))
        for key, n in Counter(keys).items():
            leaf = seen[key]
            leaf.count += n
            leaf.template.count += n
            self.dirty.add(leaf.template.id)
        return list(map(seen.__getitem__, keys))

    def _leaf(self, masked: str) -> Leaf:
        leaf = self._cache.get(masked)
        if leaf is None:
            toks = masked.split()
            leaf = Leaf(masked, toks, self._match(toks))
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[masked] = leaf
        return leaf

    @staticmethod
    def group_of(leaf: Leaf) -> str:
        """The group signature of a leaf as things stand now (it may widen as more messages arrive)."""
        return leaf.template.signature(leaf.tokens)

    def _match(self, toks: list[str]) -> Template:
        bucket = self._buckets.setdefault(len(toks), [])
        best, best_score = None, -1.0
        if bucket:
            msg_wild = {i for i, tok in enumerate(toks) if tok == WILDCARD}
            all_wild = len(msg_wild) == len(toks)
            for t in bucket:
                constant = len(toks) - len(t.wild)
                if constant:
                    # equal positions, counted in C, less those where both hold <*> (not constants)
                    score = (sum(map(eq, t.tokens, toks)) - len(t.wild & msg_wild)) / constant
                else:  # an all-<*> template must not swallow messages that have words
                    score = 1.0 if all_wild else 0.0
                if score > best_score:
                    best, best_score = t, score
        if best is not None and best_score > self.similarity:
            for i, (a, b) in enumerate(zip(best.tokens, toks)):
                if a != b and a != WILDCARD:
                    best.values[i] = {a, b}
                    best.tokens[i] = WILDCARD
                    best.wild.add(i)
                elif a == WILDCARD and i in best.values:
                    seen = best.values[i]
                    if len(seen) <= MAX_CONSTANTS:
                        seen.add(b)
            return best
        t = Template(self._next_id, list(toks))
        self._next_id += 1
        self.templates[t.id] = t
        bucket.append(t)
        return t
