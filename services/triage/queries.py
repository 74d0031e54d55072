"""Reading and changing triage data: groups, details, bugs, known fixes. Shared by the CLI and the console."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import DataError, UsageError

if TYPE_CHECKING:
    from ..store import Store

_SPAN = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float | None = None) -> int:
    """'90m', '24h', '7d', an ISO date/time (UTC) or epoch seconds -> epoch seconds."""
    now = now if now is not None else time.time()
    text = text.strip()
    m = _SPAN.match(text)
    if m:
        return int(now - int(m.group(1)) * _UNITS[m.group(2)])
    if text.isdigit():
        return int(text)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since: expected e.g. 24h, 7d, 2026-01-31 or epoch seconds, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def sparkline_counts(store: "Store", group_ids: list[int], *, buckets: int = 24, bucket_s: int = 3600,
                     now: float | None = None) -> dict[int, list[int]]:
    """Events per bucket (oldest first) for each group over the last ``buckets * bucket_s`` seconds."""
    end = int(now if now is not None else time.time())
    start = end - buckets * bucket_s
    out = {gid: [0] * buckets for gid in group_ids}
    if not group_ids:
        return out
    marks = ",".join("?" * len(group_ids))
    for gid, b, n in store.query(
            f"SELECT group_id, (at - ?) / ?, count(*) FROM error_events WHERE at >= ? AND at <= ?"
            f" AND group_id IN ({marks}) GROUP BY 1, 2", (start, bucket_s, start, end, *group_ids)):
        if 0 <= b < buckets:
            out[gid][int(b)] = int(n)
        elif b == buckets:
            out[gid][-1] += int(n)
    return out


def list_groups(store: "Store", *, since: int | None = None, limit: int = 200,
                include_muted: bool = True) -> list[dict[str, Any]]:
    """Groups by recent activity (last seen first)."""
    where, params = [], []
    if since is not None:
        where.append("g.last_seen >= ?")
        params.append(since)
    if not include_muted:
        where.append("g.status != 'muted'")
    sql = ("SELECT g.*, b.status AS bug_status FROM error_groups g LEFT JOIN bugs b ON b.id = g.bug_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY g.last_seen DESC, g.id DESC LIMIT ?")
    rows = store.query(sql, (*params, limit))
    return [_group_dict(r) for r in rows]


def _group_dict(r: Any) -> dict[str, Any]:
    d = {k: r[k] for k in r.keys()}
    d["sources"] = json.loads(d.get("sources") or "[]")
    d.pop("masked", None)
    return d


def get_group(store: "Store", gid: int) -> dict[str, Any]:
    row = store.query_one("SELECT g.*, b.status AS bug_status FROM error_groups g LEFT JOIN bugs b"
                          " ON b.id = g.bug_id WHERE g.id = ?", (gid,))
    if row is None:
        raise DataError(f"no error group {gid} (see `fleetdeck errors`)")
    return _group_dict(row)


def group_detail(store: "Store", gid: int, *, samples: int = 5, rules: list[dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    g = get_group(store, gid)
    g["samples"] = [dict(r) for r in store.query(
        "SELECT at, source, origin, text, flags FROM error_events WHERE group_id = ? ORDER BY at DESC, id DESC"
        " LIMIT ?", (gid, samples))]
    g["bug"] = dict(store.query_one("SELECT * FROM bugs WHERE id = ?", (g["bug_id"],)) or {}) if g["bug_id"] else None
    g["fix"] = known_fix(store, g["signature"], g["title"], rules or [])
    return g


def known_fix(store: "Store", signature: str, title: str, rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A fix from the rules file (config) or learned from a bug closed with a fix note."""
    for rule in rules:
        fix = rule.get("fix")
        if not fix:
            continue
        try:
            pattern = re.compile(rule["match"])
        except (re.error, KeyError):
            continue
        if pattern.search(signature) or pattern.search(title):
            return {"fix": fix, "source": f"rule {rule.get('name') or rule['match']}"}
    row = store.query_one("SELECT fix, bug_id FROM known_fixes WHERE signature = ?", (signature,))
    if row:
        return {"fix": row["fix"], "source": f"learned from bug {row['bug_id']}"}
    return None


def set_status(store: "Store", gid: int, status: str) -> None:
    get_group(store, gid)
    store.execute("UPDATE error_groups SET status = ? WHERE id = ?", (status, gid))


# -- bugs -------------------------------------------------------------------------------------------------

def list_bugs(store: "Store", *, status: str | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT b.*, (SELECT count(*) FROM error_groups g WHERE g.bug_id = b.id) AS groups,"
           " (SELECT coalesce(sum(count), 0) FROM error_groups g WHERE g.bug_id = b.id) AS events FROM bugs b")
    rows = store.query(sql + (" WHERE b.status = ?" if status else "") + " ORDER BY b.id DESC",
                       (status,) if status else ())
    return [dict(r) for r in rows]


def get_bug(store: "Store", bug_id: int) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM bugs WHERE id = ?", (bug_id,))
    if row is None:
        raise DataError(f"no bug {bug_id} (see `fleetdeck bugs list`)")
    bug = dict(row)
    bug["groups"] = [dict(r) for r in store.query(
        "SELECT id, title, count, last_seen, status FROM error_groups WHERE bug_id = ? ORDER BY last_seen DESC",
        (bug_id,))]
    return bug


def file_bug_for_group(store: "Store", gid: int, *, title: str | None = None, now: float | None = None) -> int:
    from .engine import file_bug

    g = get_group(store, gid)
    if g["bug_id"]:
        return int(g["bug_id"])
    with store.write() as conn:
        bug_id = file_bug(conn, title=title or g["title"], signature=g["signature"], created_by="hand",
                          now=int(now if now is not None else time.time()))
        conn.execute("UPDATE error_groups SET bug_id = ? WHERE id = ?", (bug_id, gid))
    return bug_id


def link_group(store: "Store", gid: int, bug_id: int) -> None:
    get_group(store, gid)
    get_bug(store, bug_id)
    store.execute("UPDATE error_groups SET bug_id = ? WHERE id = ?", (bug_id, gid))


def close_bug(store: "Store", bug_id: int, *, fix_note: str | None = None, now: float | None = None) -> dict[str, Any]:
    """Close a bug; with a fix note, its groups' signatures become known fixes and the groups are marked fixed."""
    bug = get_bug(store, bug_id)
    at = int(now if now is not None else time.time())
    with store.write() as conn:
        conn.execute("UPDATE bugs SET status = 'closed', closed_at = ?, fix_note = coalesce(?, fix_note)"
                     " WHERE id = ?", (at, fix_note, bug_id))
        if fix_note:
            sigs = {g["signature"] for g in conn.execute("SELECT signature FROM error_groups WHERE bug_id = ?",
                                                         (bug_id,)).fetchall()}
            if bug.get("signature"):
                sigs.add(bug["signature"])
            for sig in sigs:
                conn.execute("INSERT INTO known_fixes (signature, fix, bug_id, created_at) VALUES (?,?,?,?)"
                             " ON CONFLICT (signature) DO UPDATE SET fix = excluded.fix, bug_id = excluded.bug_id",
                             (sig, fix_note, bug_id, at))
            conn.execute("UPDATE error_groups SET status = 'fixed' WHERE bug_id = ? AND status = 'open'", (bug_id,))
    return get_bug(store, bug_id)
