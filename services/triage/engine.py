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

from .classify import Classified, classify, classify_batch
from .miner import Miner

if TYPE_CHECKING:
    from ..store import Store

MAX_TEXT = 64 * 1024
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
            batch = self._new_items(conn, items, result)
            # the batch's texts are classified together (the same answers as one by one, in order)
            answers = classify_batch(self.miner, [text for _, text, _ in batch])
            for (item, text, flags), answer in zip(batch, answers):
                touched.add(self._ingest_one(conn, item, text, flags, answer, now_i, result))
            self._rekey(conn)
            self._save_templates(conn, now_i)
            for gid in touched:
                self._file_or_link(conn, gid, now_i, result)
            if cursor_updates is not None:
                cursor_updates(conn)
        return result

    def _new_items(self, conn: sqlite3.Connection, items: Iterable[ErrorItem],
                   result: IngestResult) -> list[tuple[ErrorItem, str, str | None]]:
        """(item, text, flags) of the items to record: not blank, not recorded before (by dedupe key, in the
        database or earlier in this batch); texts over MAX_TEXT cut and flagged."""
        batch = []
        keys: set[str] = set()
        for item in items:
            cut = len(item.text) > MAX_TEXT
            text = item.text[:MAX_TEXT] if cut else item.text
            flags = ",".join(filter(None, [item.flags, "truncated"])) if cut else item.flags
            if not text.strip():
                continue
            if item.dedupe_key:
                if item.dedupe_key in keys or conn.execute("SELECT 1 FROM error_events WHERE dedupe_key = ?",
                                                           (item.dedupe_key,)).fetchone():
                    result.duplicates += 1
                    continue
                keys.add(item.dedupe_key)
            batch.append((item, text, flags))
        return batch

    def _ingest_one(self, conn: sqlite3.Connection, item: ErrorItem, text: str, flags: str | None,
                    answer: Classified, now: int, result: IngestResult) -> int:
        at = int(item.at if item.at is not None else now)
        signature, kind, title, stack, masked, template_id = answer
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
                (signature, kind, message_title(title) if kind == "message" else title[:1000], text[:8192], stack,
                 masked, severity, at, at,
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
                             (new_sig, message_title(new_sig[4:]), gid))
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


def message_title(template: str) -> str:
    """A message group's title: its template without the leading words that are only placeholders and
    punctuation (a log line's timestamp, host or pid: "<*> ERROR db: ..." reads "ERROR db: ..."). The
    signature keeps the whole template; rules match either."""
    words = template.split(" ")
    first = 0
    while first < len(words) - 1 and not any(c.isalnum() for c in words[first].replace("<*>", "")):
        first += 1
    return " ".join(words[first:])[:1000]


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
