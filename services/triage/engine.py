"""Turning error texts into groups: signature, group upsert, events, template state, bug filing and linking.

``record_error(store, source=, text=)`` is the entry point for other services (session health, wrappers);
the triage job collects its own sources and calls ``Engine.ingest`` in batches. Everything one batch changes
(events, groups, miner templates, source cursors) is written in one transaction, so a killed run is redone
without losing or duplicating anything.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .miner import Miner
from .signature import stack_signature

if TYPE_CHECKING:
    from ..store import Store

MAX_TEXT = 64 * 1024
MAX_LINE = 4096  # of a message without a stack, the first line up to this many characters is grouped
DEFAULT_CRITICAL = r"(?i)\b(fatal|critical|panic|out of memory|segmentation fault|disk full|no space left)\b"


@dataclass(frozen=True)
class ErrorItem:
    source: str  # log, job, api, session, ...
    text: str
    origin: str | None = None
    at: float | None = None
    dedupe_key: str | None = None
    flags: str | None = None


@dataclass
class Rules:
    """Known error types and thresholds from the [triage] config section."""

    rules: list[dict[str, Any]] = field(default_factory=list)
    bug_threshold: int = 20
    critical: re.Pattern[str] = field(default_factory=lambda: re.compile(DEFAULT_CRITICAL))

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> "Rules":
        rules = []
        for r in section.get("rules", []) or []:
            try:
                rules.append({**r, "_re": re.compile(r["match"])})
            except re.error:
                continue  # config validation reports it; triage keeps going
        try:
            critical = re.compile(section.get("critical_pattern") or DEFAULT_CRITICAL)
        except re.error:
            critical = re.compile(DEFAULT_CRITICAL)
        return cls(rules, int(section.get("bug_threshold", 20) or 20), critical)

    def match(self, signature: str, title: str) -> dict[str, Any] | None:
        for r in self.rules:
            if r["_re"].search(signature) or r["_re"].search(title):
                return r
        return None


Classified = tuple[str, str, str, str | None, str | None, int | None]


def classify(miner: Miner, text: str) -> Classified:
    """(signature, kind, title, stack, masked, template_id) of one error text: a stack trace's signature, or
    the group the miner puts the first non-blank line in. benchmarks/grouping.py times this function."""
    leaf = miner.lookup(text)  # a text the miner was given whole before: one line, so no stack either
    if leaf is not None:
        memo = leaf.memo
        if memo is not None and leaf.version == leaf.template.version:
            miner.count(leaf)  # the same answer as for the last message of this leaf, while its group holds
            return memo
    leaf = miner.add_known(text, leaf is None)
    if leaf is not None and leaf.memo is not None:
        return leaf.memo
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


@dataclass
class IngestResult:
    events: int = 0
    duplicates: int = 0
    new_groups: list[int] = field(default_factory=list)
    bugs_filed: list[int] = field(default_factory=list)
    linked: list[int] = field(default_factory=list)


class Engine:
    def __init__(self, store: "Store", rules: Rules | None = None) -> None:
        self.store = store
        self.rules = rules or Rules()
        self.miner = Miner()
        self.miner.load_rows(store.query("SELECT id, template, count, variants FROM triage_templates"))

    # -- signatures ---------------------------------------------------------------------------------------

    def classify(self, text: str) -> Classified:
        """(signature, kind, title, stack, masked, template_id) of one error text."""
        return classify(self.miner, text)

    # -- ingest -------------------------------------------------------------------------------------------

    def ingest(self, items: Iterable[ErrorItem], *, cursor_updates: Callable[[sqlite3.Connection], None] | None = None,
               now: float | None = None) -> IngestResult:
        result = IngestResult()
        now_i = int(now if now is not None else time.time())
        touched: set[int] = set()
        with self.store.write() as conn:
            for item in items:
                gid = self._ingest_one(conn, item, now_i, result)
                if gid is not None:
                    touched.add(gid)
            self._rekey(conn)
            self._save_templates(conn, now_i)
            for gid in touched:
                self._file_or_link(conn, gid, now_i, result)
            if cursor_updates is not None:
                cursor_updates(conn)
        return result

    def _ingest_one(self, conn: sqlite3.Connection, item: ErrorItem, now: int, result: IngestResult) -> int | None:
        text = item.text if len(item.text) <= MAX_TEXT else item.text[:MAX_TEXT]
        flags = item.flags if len(item.text) <= MAX_TEXT else ",".join(filter(None, [item.flags, "truncated"]))
        if not text.strip():
            return None
        if item.dedupe_key and conn.execute("SELECT 1 FROM error_events WHERE dedupe_key = ?",
                                            (item.dedupe_key,)).fetchone():
            result.duplicates += 1
            return None
        at = int(item.at if item.at is not None else now)
        signature, kind, title, stack, masked, template_id = self.classify(text)
        row = conn.execute("SELECT id, sources, first_seen, last_seen FROM error_groups WHERE signature = ?",
                           (signature,)).fetchone()
        if row is None:
            rule = self.rules.match(signature, title)
            severity = (rule or {}).get("severity") or ("critical" if self.rules.critical.search(title + "\n" + text[:2000])
                                                         else "error")
            bug = conn.execute("SELECT id FROM bugs WHERE signature = ? ORDER BY status = 'open' DESC, id LIMIT 1",
                               (signature,)).fetchone()
            cur = conn.execute(
                "INSERT INTO error_groups (signature, kind, title, representative, stack, masked, severity, count,"
                " first_seen, last_seen, sources, bug_id, template_id) VALUES (?,?,?,?,?,?,?,0,?,?,?,?,?)",
                (signature, kind, title[:1000], text[:8192], stack, masked, severity, at, at,
                 json.dumps([item.source]), bug[0] if bug else None, template_id),
            )
            gid = int(cur.lastrowid or 0)
            result.new_groups.append(gid)
            if bug:
                result.linked.append(gid)
        else:
            gid = int(row[0])
            sources = json.loads(row[1] or "[]")
            if item.source not in sources:
                sources.append(item.source)
                conn.execute("UPDATE error_groups SET sources = ? WHERE id = ?", (json.dumps(sources), gid))
            conn.execute("UPDATE error_groups SET first_seen = min(first_seen, ?) WHERE id = ?", (at, gid))
        conn.execute("UPDATE error_groups SET count = count + 1, last_seen = max(last_seen, ?),"
                     " status = CASE WHEN status = 'fixed' THEN 'open' ELSE status END WHERE id = ?", (at, gid))
        conn.execute("INSERT INTO error_events (group_id, at, source, origin, text, flags, dedupe_key)"
                     " VALUES (?,?,?,?,?,?,?)", (gid, at, item.source, item.origin, text, flags, item.dedupe_key))
        result.events += 1
        return gid

    def _rekey(self, conn: sqlite3.Connection) -> None:
        """Templates that widened change the signature of their message groups: rename, merging equal ones."""
        dirty = self.miner.dirty
        if not dirty:
            return
        marks = ",".join("?" * len(dirty))
        rows = conn.execute(f"SELECT id, signature, masked, template_id FROM error_groups"
                            f" WHERE kind = 'message' AND template_id IN ({marks})", list(dirty)).fetchall()
        for gid, old_sig, masked, tid in rows:
            template = self.miner.templates.get(tid)
            if template is None or masked is None:
                continue
            new_sig = "msg:" + template.signature(masked.split())
            if new_sig == old_sig:
                continue
            other = conn.execute("SELECT id FROM error_groups WHERE signature = ?", (new_sig,)).fetchone()
            if other is None:
                conn.execute("UPDATE error_groups SET signature = ?, title = ? WHERE id = ?",
                             (new_sig, new_sig[4:][:1000], gid))
            else:
                merge_groups(conn, into=int(other[0]), other=gid)

    def _save_templates(self, conn: sqlite3.Connection, now: int) -> None:
        for tid in self.miner.dirty:
            t = self.miner.templates[tid]
            conn.execute(
                "INSERT INTO triage_templates (id, template, count, variants, updated_at) VALUES (?,?,?,?,?)"
                " ON CONFLICT (id) DO UPDATE SET template = excluded.template, count = excluded.count,"
                " variants = excluded.variants, updated_at = excluded.updated_at",
                (t.id, t.text, t.count, json.dumps({str(k): sorted(v) for k, v in t.values.items()}), now),
            )
        self.miner.clear_dirty()

    def _file_or_link(self, conn: sqlite3.Connection, gid: int, now: int, result: IngestResult) -> None:
        g = conn.execute("SELECT signature, title, count, bug_id, status FROM error_groups WHERE id = ?",
                         (gid,)).fetchone()
        if g is None or g[3] is not None or g[4] == "muted":
            return
        signature, title, count = g[0], g[1], g[2]
        rule = self.rules.match(signature, title)
        if rule is not None and rule.get("file_bug", True):
            by = f"rule:{rule.get('name') or rule['match']}"
        elif count >= self.rules.bug_threshold:
            by = "threshold"
        else:
            return
        bug_id = file_bug(conn, title=title, signature=signature, created_by=by, now=now)
        conn.execute("UPDATE error_groups SET bug_id = ? WHERE id = ?", (bug_id, gid))
        result.bugs_filed.append(bug_id)


def file_bug(conn: sqlite3.Connection, *, title: str, signature: str | None, created_by: str, now: int) -> int:
    """A bug for ``signature``: the open one that already exists, else a new one."""
    if signature:
        row = conn.execute("SELECT id FROM bugs WHERE signature = ? AND status = 'open' ORDER BY id LIMIT 1",
                           (signature,)).fetchone()
        if row:
            return int(row[0])
    cur = conn.execute("INSERT INTO bugs (title, status, signature, created_by, created_at) VALUES (?,?,?,?,?)",
                       (title[:300], "open", signature, created_by, now))
    return int(cur.lastrowid or 0)


def merge_groups(conn: sqlite3.Connection, *, into: int, other: int) -> None:
    """Fold group ``other`` into ``into``: events, counts, time range, sources, bug link."""
    a = conn.execute("SELECT count, first_seen, last_seen, sources, bug_id FROM error_groups WHERE id = ?",
                     (into,)).fetchone()
    b = conn.execute("SELECT count, first_seen, last_seen, sources, bug_id FROM error_groups WHERE id = ?",
                     (other,)).fetchone()
    if a is None or b is None:
        return
    sources = list(dict.fromkeys(json.loads(a[3] or "[]") + json.loads(b[3] or "[]")))
    conn.execute("UPDATE error_events SET group_id = ? WHERE group_id = ?", (into, other))
    conn.execute("UPDATE error_groups SET count = ?, first_seen = ?, last_seen = ?, sources = ?,"
                 " bug_id = coalesce(bug_id, ?) WHERE id = ?",
                 (a[0] + b[0], min(a[1], b[1]), max(a[2], b[2]), json.dumps(sources), b[4], into))
    conn.execute("DELETE FROM error_groups WHERE id = ?", (other,))


def record_error(store: "Store", *, source: str, text: str, origin: str | None = None, at: float | None = None,
                 dedupe_key: str | None = None, rules: Rules | None = None) -> IngestResult:
    """Record one error seen elsewhere (a pane showing a traceback, a failed call); groups it at once."""
    return Engine(store, rules).ingest([ErrorItem(source, text, origin, at, dedupe_key)])
