"""Classifying error texts: a stack trace's signature, or the message group the template miner gives it.

``classify_batch`` is what the engine runs on every batch it ingests (a tailed file's new error lines, a page
of failed jobs): the answers are exactly those of ``classify`` called on each text in turn, but the common
cases (a text seen before as it is, or equal up to its digits to one seen before) stay inside one loop that
does the miner's ``add_known`` inline (its caches, ``_lines`` and ``_seen``, are read and filled here as
``add_known`` does), with no function call per text. benchmarks/grouping.py times ``classify_batch``.
"""

from __future__ import annotations

from typing import Iterable

from .masking import DIGITS_TO_ZERO
from .miner import CACHE_SIZE, Miner
from .signature import stack_signature

MAX_LINE = 4096  # of a message without a stack, the first line up to this many characters is grouped

Classified = tuple[str, str, str, str | None, str | None, int | None]


def classify(miner: Miner, text: str) -> Classified:
    """(signature, kind, title, stack, masked, template_id) of one error text: a stack trace's signature, or
    the group the miner puts the first non-blank line in."""
    leaf = miner.lookup(text)  # a text the miner was given whole before: one line, so no stack either
    if leaf is not None:
        memo = leaf.memo
        if memo is not None and leaf.version == leaf.template.version:
            miner.count(leaf)  # the same answer as for the last message of this leaf, while its group holds
            return memo
    leaf = miner.add_known(text, leaf is None)
    if leaf is not None and leaf.memo is not None:
        return leaf.memo
    return _classify_new(miner, text, leaf)


def _classify_new(miner: Miner, text: str, leaf) -> Classified:  # noqa: ANN001 - Leaf | None
    """``classify`` once the miner's lookups are done: ``leaf`` is the known leaf whose answer must be
    derived again, or None for a text the miner has not seen (masked and mined here)."""
    if leaf is None:
        lines = text.splitlines()
        if len(lines) == 1 and len(lines[0]) == len(text) <= MAX_LINE:  # one line, no break: no stack trace
            leaf = miner.add_new(text)
        else:
            sig = stack_signature(text)
            if sig is not None:
                return sig.signature, "traceback", sig.title, sig.stack, None, None
            first = next((ln for ln in lines if ln.strip()), text)
            leaf = miner.add(first if len(first) <= MAX_LINE else first[:MAX_LINE])
    row = leaf.memo = ("msg:" + leaf.group, "message", leaf.group, None, leaf.text, leaf.template.id)
    return row


def classify_batch(miner: Miner, texts: Iterable[str]) -> list[Classified]:
    """``[classify(miner, t) for t in texts]``, the same answers in the same order, cheaper per text: the
    common cases (a text seen before as it is, or up to its digits) are answered in this loop, with the
    miner's ``add_known`` done inline, and only texts new to the miner go through ``classify``'s own steps.
    (Zeroing the whole batch in one translate up front was tried: more instructions and more time, as the
    keys of texts that the first lookup answers are made for nothing.)"""
    lines = miner._lines
    lookup = lines.get
    seen_get = miner._seen.get
    # Each text is counted on its template here, as ``Miner.add`` does: the engine reads ``miner.dirty`` after
    # every batch, and folding a list of counted leaves then (``Miner.count``) cost more than this.
    dirty_append = miner._dirty.append
    add_unseen = miner.add_unseen
    out: list[Classified] = []
    append = out.append
    epoch = miner.epoch  # a leaf marked with it has a current memo; only a new text can move it on
    if not isinstance(texts, list):
        texts = list(texts)
    # Each text adds at most one entry to ``lines`` and to ``_seen``: when the batch cannot fill them, their
    # size checks are skipped (len() of a big dict makes a new int object each time).
    roomy = max(len(lines), len(miner._seen)) + len(texts) < CACHE_SIZE
    for text in texts:
        leaf = lookup(text)
        if leaf is None:
            try:  # (strict UTF-8 parses no error handler name: cheaper; the same bytes when it succeeds)
                key = text.encode().translate(DIGITS_TO_ZERO)
            except UnicodeEncodeError:  # a lone surrogate: replaced, as ``zeroed`` does
                key = text.encode("utf-8", "replace").translate(DIGITS_TO_ZERO)
            leaf = seen_get(key)
            if leaf is None:  # new to the miner: masked and mined
                # one line without a break (so no stack trace), as in _classify_new, masked with this key
                split = text.splitlines() if len(text) <= MAX_LINE else ()
                if len(split) == 1 and len(split[0]) == len(text):
                    leaf = add_unseen(text, key, roomy)  # counted there
                    epoch = miner.epoch
                else:
                    miner._missed = (text, key)  # add_new masks it with this key instead of zeroing it again
                    append(_classify_new(miner, text, None))
                    epoch = miner.epoch
                    continue
            else:
                # as add_known does: the same text again costs one lookup. (No length check: ``_seen`` holds
                # keys of at most MAX_CACHED_LINE bytes, and a text has no more characters than its key bytes.)
                if not roomy and len(lines) >= CACHE_SIZE:
                    lines.clear()
                lines[text] = leaf
                t = leaf.template
                t.count += 1
                if not t.dirty:
                    t.dirty = True
                    dirty_append(t)
        else:
            t = leaf.template
            t.count += 1
            if not t.dirty:
                t.dirty = True
                dirty_append(t)
        if leaf.epoch == epoch:  # no template widened since this leaf's memo was checked
            append(leaf.memo)
            continue
        memo = leaf.memo
        if memo is None or leaf.version != leaf.template.version:
            if leaf.version != leaf.template.version:  # (a new text's leaf is brought up to date already)
                Miner.group_of(leaf)  # the template widened since this leaf's answer was made
            memo = leaf.memo = ("msg:" + leaf.group, "message", leaf.group, None, leaf.text, leaf.template.id)
        leaf.epoch = epoch
        append(memo)
    return out
