"""Template mining for messages without a stack: a Drain-like online grouper over masked tokens.

Masked messages are bucketed by token count; a message joins the most similar template of its bucket when
enough of the template's constant tokens match, and the positions that differ become <*>. The state is a plain
list of templates (id, tokens, count, values) that the caller persists in SQLite — no pickled objects; the
caches below are rebuilt from the messages as they arrive.

Per message the hot path is one dict lookup: a message seen before (the same text) has a leaf, which holds its
group until its template changes; ``lookup`` and ``count`` let a caller do that in C (counts are folded into
the templates when ``dirty`` is read). A message equal up to its digits to one seen before costs a second
lookup; only others are masked and matched. (``classify.classify_batch`` does ``add_known`` inline, on the
same caches: keep the two alike.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import compress
from operator import eq, ne
from typing import Any, Callable, Iterable

from .masking import DIGITS_TO_ZERO, WILDCARD, mask_tokens, zeroed

SIMILARITY = 0.5  # share of a template's constant tokens a message must match to join it
# A position where a template has seen at most this many distinct words is a constant that tells groups apart
# ("Accepted"/"Failed password"); more distinct words make it a variable (user names, hosts).
MAX_CONSTANTS = 3
CACHE_SIZE = 65_536  # entries per cache; a full cache is cleared (a cache, never the state)
_WILD_TO_NONE = {WILDCARD: None}
MAX_CACHED_LINE = 1024  # longer messages are not cached: rarely repeated, costly to hold (64 MiB a cache)


class Template:
    """A cluster of masked messages of one length; ``values`` holds the words seen where its tokens differ."""

    __slots__ = ("id", "tokens", "count", "values", "wild", "version", "dirty",
                 "_kept", "_kept_version", "_text", "words")

    def __init__(self, id: int, tokens: list[str], count: int = 0, text: str | None = None) -> None:
        self.id = id
        self.tokens = tokens
        self.count = count
        self.values: dict[int, set[str]] = {}
        # positions holding <*> (a new template often has none: the first message of its shape, all words),
        # found by C scans of the list (one or two, mostly; cheaper than a comprehension)
        wild = self.wild = set()
        i = -1
        for _ in range(tokens.count(WILDCARD)):
            i = tokens.index(WILDCARD, i + 1)
            wild.add(i)
        self.version = 0  # bumped whenever tokens or values change, so leaves know their group is stale
        self.dirty = False  # counted or changed since the miner's last clear_dirty()
        # positions ``signature`` takes from the message, and its text, as of _kept_version: none and
        # ``text`` (the tokens joined, when the caller has it) for a template without values
        self._kept: list[int] | tuple[()] = ()
        self._kept_version = -1 if text is None else 0
        self._text = "" if text is None else text
        # the words it was made of: its constants are among them (a constant only ever becomes <*>)
        self.words = set(tokens)

    def __repr__(self) -> str:
        return f"Template({self.id}, {self.text!r}, count={self.count})"

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def signature(self, toks: list[str]) -> str:
        """The group of one masked message: the template, with few-valued positions kept as the message has
        them."""
        if self._kept_version != self.version:
            values = self.values  # (empty for a template that never widened, as most new ones: none kept)
            self._kept = (sorted(i for i in self.wild if i in values and len(values[i]) <= MAX_CONSTANTS)
                          if values else ())
            self._text = " ".join(self.tokens)
            self._kept_version = self.version
        if not self._kept:
            return self._text
        out = self.tokens.copy()
        for i in self._kept:
            out[i] = toks[i]
        return " ".join(out)


class Leaf:
    """One distinct masked message, the template it joined, and its group as of the template's ``version``."""

    __slots__ = ("text", "tokens", "template", "group", "version", "memo", "epoch")

    def __init__(self, text: str, tokens: list[str], template: Template) -> None:
        self.text = text
        self.tokens = tokens
        self.template = template
        self.group = ""
        self.version = -1
        self.memo: Any = None  # the caller's cache of what it derives from ``group``; reset when that changes
        self.epoch = -1  # the caller may set the miner's ``epoch`` here once ``memo`` is current


@dataclass
class Miner:
    similarity: float = SIMILARITY
    templates: dict[int, Template] = field(default_factory=dict)
    _buckets: dict[int, list[Template]] = field(default_factory=dict)  # templates by length
    _lines: dict[str, Leaf] = field(default_factory=dict)  # message text -> leaf
    _seen: dict[bytes, Leaf] = field(default_factory=dict)  # message with digits zeroed -> leaf
    _cache: dict[str, Leaf] = field(default_factory=dict)  # masked text -> leaf
    _next_id: int = 1
    _dirty: list[Template] = field(default_factory=list)
    _missed: tuple[str, bytes] = ("", b"")  # the last message add_known did not know, and its zeroed form
    _counted: list[Leaf] = field(default_factory=list)  # leaves counted by ``count``, not yet folded in
    # Bumped whenever any template widens (rare: tens of times in a 2000-line log), so a leaf whose ``epoch``
    # equals it has a current ``memo`` without looking at its template (classify_batch's hot path).
    epoch: int = 0
    lookup: Callable[[str], Leaf | None] = field(init=False, repr=False)
    count: Callable[[Leaf], None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The hot path of a caller that has seen a message before: both in C, no Python frame.
        self.lookup = self._lines.get  # the leaf of a message added before as it is (nothing counted)
        self.count = self._counted.append  # one more message for this leaf (folded into templates later)

    def load_rows(self, rows: Iterable[Any]) -> None:
        """Restore templates from triage_templates rows (id, template, count, variants JSON)."""
        import json

        for tid, text, count, variants in rows:
            t = Template(int(tid), text.split(), int(count))
            t.values = {int(k): set(v) for k, v in json.loads(variants or "{}").items()}
            self.templates[t.id] = t
            self._buckets.setdefault(len(t.tokens), []).append(t)
            self._next_id = max(self._next_id, t.id + 1)
        self.epoch += 1

    def add(self, message: str) -> Leaf:
        """Group one message; return its leaf (the template is created or widened as needed), whose ``group``
        is the message's group as things stand now."""
        leaf = self.add_known(message)
        return leaf if leaf is not None else self.add_new(message)

    def add_known(self, message: str, unseen: bool = False) -> Leaf | None:
        """``add`` for a message seen before, as it is or up to its digits: one or two dict lookups, the
        common case. None, adding nothing, for a new one. ``unseen``: ``lookup`` just found no leaf for it."""
        leaf = None if unseen else self._lines.get(message)
        if leaf is None:
            # Masking decides by digit classes, never by digit values: messages equal up to their digits
            # mask alike, and ``_seen`` holds those whose masked text kept no digit (so it is the same text).
            key = message.encode("utf-8", "replace").translate(DIGITS_TO_ZERO)
            leaf = self._seen.get(key)
            if leaf is None:
                self._missed = (message, key)  # for add_new, which comes next
                return None
            # the same text again costs one lookup (inline: this is the hot path). No length check: ``_seen``
            # holds keys of at most MAX_CACHED_LINE bytes, and a message has no more characters than those.
            lines = self._lines
            if len(lines) >= CACHE_SIZE:
                lines.clear()
            lines[message] = leaf
        return self._count_line(leaf)

    def _count_line(self, leaf: Leaf) -> Leaf:
        """Count one more line for ``leaf``'s template and bring its group up to the template's version."""
        t = leaf.template
        t.count += 1
        if not t.dirty:
            t.dirty = True
            self._dirty.append(t)
        if leaf.version != t.version:
            leaf.group = t.signature(leaf.tokens)
            leaf.version = t.version
            leaf.memo = None
        return leaf

    def add_new(self, message: str) -> Leaf:
        """``add`` for a message that ``add_known`` just did not know."""
        missed = self._missed
        return self.add_unseen(message, missed[1] if missed[0] is message else zeroed(message))

    def add_unseen(self, message: str, key: bytes, roomy: bool = False) -> Leaf:
        """``add_new`` given the message's ``zeroed`` form; ``roomy``: the caller knows ``_lines`` and
        ``_seen`` cannot be full (size checks skipped). Each new message of a cold batch comes here, so the
        steps of making a leaf, ``_remember`` and ``_count_line`` are written out (a call each cost more
        than their work)."""
        toks, kept_digits = mask_tokens(message, key)
        masked = " ".join(toks)
        cache = self._cache
        leaf = cache.get(masked)
        if leaf is None:  # a new masked text: its template is found or made
            leaf = Leaf(masked, toks, self._match(toks, masked))
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            cache[masked] = leaf
        if len(message) <= MAX_CACHED_LINE:  # the same text again: one lookup
            lines = self._lines
            if not roomy and len(lines) >= CACHE_SIZE:
                lines.clear()
            lines[message] = leaf
        # (one that kept an error code, say, masks the same only as the same text)
        if not kept_digits and len(key) <= MAX_CACHED_LINE:
            seen = self._seen
            if not roomy and len(seen) >= CACHE_SIZE:
                seen.clear()
            seen[key] = leaf
        t = leaf.template
        t.count += 1
        if not t.dirty:
            t.dirty = True
            self._dirty.append(t)
        if leaf.version != t.version:
            leaf.group = t.signature(leaf.tokens)
            leaf.version = t.version
            leaf.memo = None
        return leaf

    @property
    def dirty(self) -> set[int]:
        """Ids of the templates whose row must be saved: counted or changed since the last ``clear_dirty``."""
        self.fold_counts()
        return {t.id for t in self._dirty}

    def fold_counts(self) -> None:
        """Add the messages counted by ``count`` to their templates' counts."""
        if self._counted:
            dirty = self._dirty
            for leaf, n in Counter(self._counted).items():
                t = leaf.template
                t.count += n
                if not t.dirty:
                    t.dirty = True
                    dirty.append(t)
            self._counted.clear()

    def clear_dirty(self) -> None:
        for t in self._dirty:
            t.dirty = False
        self._dirty.clear()

    def _remember(self, cache: dict[Any, Leaf], key: str | bytes, leaf: Leaf) -> None:
        if len(key) > MAX_CACHED_LINE:
            return  # long lines rarely come again as they are: not worth their memory
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[key] = leaf

    @staticmethod
    def group_of(leaf: Leaf) -> str:
        """The group signature of a leaf as things stand now (it may widen as more messages arrive)."""
        t = leaf.template
        if leaf.version != t.version:
            leaf.group = t.signature(leaf.tokens)
            leaf.version = t.version
            leaf.memo = None
        return leaf.group

    def _match(self, toks: list[str], masked: str | None = None) -> Template:
        """The template of the same length whose constants the message matches best (the first of equals),
        widened to take it, when it matches more than ``similarity`` of them; else a new template (``masked``:
        the tokens joined, when the caller has it)."""
        bucket = self._buckets.setdefault(len(toks), [])
        best, best_score = None, -1.0
        if bucket:
            # <*> in the message compares unequal to everything, so equal positions are template constants
            words = list(map(_WILD_TO_NONE.get, toks, toks))
            n = len(toks)
            has_word = any(words)  # (tokens are never empty)
            # A template sharing no word with a message that has one matches none of its constants and
            # scores 0, so it cannot be taken: most templates of a bucket (85 % of the pairs over the 8 dev
            # logs), and a set lookup per word is cheaper than comparing every position.
            prune = has_word and self.similarity >= 0
            for t in bucket:
                if prune and t.words.isdisjoint(words):
                    continue
                constant = n - len(t.wild)
                if constant:
                    equal = sum(map(eq, t.tokens, words))  # counted in C
                    if equal == constant:  # every constant matches: no later template can score higher
                        best, best_score = t, 1.0
                        break
                    score = equal / constant
                elif not has_word:  # an all-<*> template takes only messages without words
                    best, best_score = t, 1.0
                    break
                else:
                    score = 0.0
                if score > best_score:
                    best, best_score = t, score
        if best is not None and best_score > self.similarity:
            changed = False
            tokens, values = best.tokens, best.values
            for i, seen in values.items():  # the words seen at a <*> (while few)
                if len(seen) <= MAX_CONSTANTS and toks[i] not in seen:
                    seen.add(toks[i])
                    changed = True
            for i in compress(range(len(toks)), map(ne, tokens, toks)):  # where they differ, found in C
                a = tokens[i]
                if a != WILDCARD:  # a constant that differs becomes <*>
                    values[i] = {a, toks[i]}
                    tokens[i] = WILDCARD
                    best.wild.add(i)
                    changed = True
            if changed:
                best.version += 1
                self.epoch += 1
            return best
        t = Template(self._next_id, list(toks), 0, masked)
        self._next_id += 1
        self.templates[t.id] = t
        bucket.append(t)
        return t
