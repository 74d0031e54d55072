"""Database cleanup: rules that delete, archive or unlink old and orphaned rows, in short transactions.

Rules for fleetdeck's own database (ages from ``[maintenance]``):

* prompts: completed and finished more than ``prompt_days`` ago -> deleted;
* activity_log: older than ``activity_days`` -> archived to ``data/archive`` then deleted (see archive.py);
* job_runs: finished more than ``job_run_days`` ago -> deleted, except each job's latest run;
* outbox: sent/suppressed/failed more than ``outbox_days`` ago -> deleted (pending ones never);
* orphans: session_states of a session that is gone -> deleted (the foreign key cascades, but a writer that
  ran with foreign keys off leaves them); prompts.session_id and sessions.current_prompt_id pointing nowhere
  -> set to NULL (the prompt itself is still the user's work). activity_log.session_id/prompt_id are plain
  integers by design - history outlives what it mentions - so they are never treated as orphans.

Other databases come from ``[maintenance] databases`` with their own table rules.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..store import Store
from ..store.db import connect
from .archive import ArchiveTarget, archive_rows, checkpoint, db_tag, quote_ident, recover

DAY = 86400


@dataclass
class Rule:
    name: str
    table: str
    where: str
    params: tuple[Any, ...] = ()
    action: str = "delete"  # delete | archive | nullify
    set_column: str | None = None  # for nullify
    time_column: str | None = None


@dataclass
class Target:
    db_path: Path
    rules: list[Rule]
    own: bool = False  # fleetdeck's database (the store's own connection)
    error: str | None = None


@dataclass
class RuleResult:
    db: str
    rule: str
    action: str
    matched: int
    done: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"db": self.db, "rule": self.rule, "action": self.action, "matched": self.matched, "done": self.done}


@dataclass
class CleanupReport:
    rules: list[RuleResult] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    recovered: dict[str, int] = field(default_factory=dict)
    vacuum: list[dict[str, Any]] = field(default_factory=list)


def own_rules(config: Config, now: int) -> list[Rule]:
    m = config.section("maintenance")
    prompts_before = now - int(m["prompt_days"]) * DAY
    activity_before = now - int(m["activity_days"]) * DAY
    runs_before = now - int(m["job_run_days"]) * DAY
    outbox_before = now - int(m["outbox_days"]) * DAY
    return [
        Rule(f"prompts completed > {m['prompt_days']} days ago", "prompts",
             "status = 'completed' AND coalesce(finished_at, updated_at, created_at) < ?", (prompts_before,)),
        Rule(f"activity_log older than {m['activity_days']} days", "activity_log", "at < ?", (activity_before,),
             action="archive", time_column="at"),
        Rule(f"job_runs older than {m['job_run_days']} days (latest per job kept)", "job_runs",
             "status != 'running' AND started_at < ? AND id NOT IN (SELECT max(id) FROM job_runs GROUP BY job)",
             (runs_before,)),
        Rule(f"outbox delivered/failed > {m['outbox_days']} days ago", "outbox",
             "status IN ('sent', 'suppressed', 'failed') AND created_at < ?", (outbox_before,)),
        Rule("orphan session_states (session gone)", "session_states",
             "session_id NOT IN (SELECT id FROM sessions)"),
        Rule("orphan prompts.session_id -> NULL", "prompts",
             "session_id IS NOT NULL AND session_id NOT IN (SELECT id FROM sessions)", action="nullify",
             set_column="session_id"),
        Rule("orphan sessions.current_prompt_id -> NULL", "sessions",
             "current_prompt_id IS NOT NULL AND current_prompt_id NOT IN (SELECT id FROM prompts)",
             action="nullify", set_column="current_prompt_id"),
    ]


def external_targets(config: Config, now: int) -> list[Target]:
    targets = []
    for item in config.get("maintenance", "databases", []) or []:
        path = Path(str(item["path"])).expanduser()
        rules = []
        for spec in item.get("rules", []):
            clauses, params = [], []
            if spec.get("time_column") and spec.get("older_than_days") is not None:
                clauses.append(f"{quote_ident(spec['time_column'])} < ?")
                params.append(now - int(spec["older_than_days"]) * DAY)
            if spec.get("where"):
                clauses.append(f"({spec['where']})")
            where = " AND ".join(clauses) or "1"
            label = spec.get("name") or f"{spec['table']}: " + (
                f"older than {spec['older_than_days']} days" if spec.get("older_than_days") is not None else where)
            rules.append(Rule(label, spec["table"], where, tuple(params),
                              action="archive" if spec.get("archive") else "delete",
                              time_column=spec.get("time_column")))
        targets.append(Target(path, rules))
    return targets


def count(conn: sqlite3.Connection, rule: Rule) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {quote_ident(rule.table)} WHERE {rule.where}",
                            rule.params).fetchone()[0])


def batched(conn: sqlite3.Connection, rule: Rule, batch: int, on_rows: Callable[[int], None]) -> int:
    """Delete or unlink matching rows ``batch`` at a time, each batch its own BEGIN IMMEDIATE transaction."""
    table = quote_ident(rule.table)
    pick = f"SELECT rowid FROM {table} WHERE {rule.where} LIMIT ?"
    if rule.action == "nullify":
        sql = f"UPDATE {table} SET {quote_ident(rule.set_column or '')} = NULL WHERE rowid IN ({pick})"
    else:
        sql = f"DELETE FROM {table} WHERE rowid IN ({pick})"
    total = 0
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            n = conn.execute(sql, (*rule.params, batch)).rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        checkpoint(conn)
        total += n
        if n:
            on_rows(n)
        if n < batch:
            return total


def reclaim(conn: sqlite3.Connection, mode: str, min_mb: int) -> dict[str, Any]:
    """Give free pages back to the file system when enough are free; say what was done."""
    page = int(conn.execute("PRAGMA page_size").fetchone()[0])
    free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    auto = int(conn.execute("PRAGMA auto_vacuum").fetchone()[0])
    info: dict[str, Any] = {"free_mb": round(free * page / 1e6, 1), "action": "none"}
    if mode == "off" or free * page < min_mb * 1_000_000:
        return info
    if auto == 2 and mode in ("auto", "incremental"):
        # Small steps, each its own short write, so writers never wait long.
        step = max(1, 4_000_000 // page)
        while int(conn.execute("PRAGMA freelist_count").fetchone()[0]):
            conn.execute(f"PRAGMA incremental_vacuum({step})").fetchall()
            checkpoint(conn)
        info["action"] = "incremental_vacuum"
    elif mode == "full":
        # A full VACUUM holds the write lock for its whole run, so only when asked for.
        conn.execute("VACUUM")
        info["action"] = "vacuum"
    else:
        info["note"] = ("not in incremental auto_vacuum mode: run `fleetdeck run cleanup --vacuum full` "
                        "(blocks writers while it runs) to reclaim")
        return info
    info["size_mb_after"] = round(int(conn.execute("PRAGMA page_count").fetchone()[0]) * page / 1e6, 1)
    return info


def run_cleanup(
    store: Store,
    config: Config,
    now: int,
    *,
    dry_run: bool,
    vacuum: str | None = None,
    progress: Callable[[float, float | None, str], None] = lambda d, t=None, m="": None,
) -> CleanupReport:
    m = config.section("maintenance")
    batch, archive_batch = int(m["batch_size"]), int(m["archive_batch"])
    report = CleanupReport()
    conns: dict[str, sqlite3.Connection] = {str(store.path): store.conn}

    def open_db(path: str) -> sqlite3.Connection:
        if path not in conns:
            conns[path] = connect(path)
        return conns[path]

    targets = [Target(store.path, own_rules(config, now), own=True), *external_targets(config, now)]
    try:
        if not dry_run:
            tags = {db_tag(t.db_path): t.db_path for t in targets}
            report.recovered = recover(store, open_db, batch, tags)
        plan: list[tuple[Target, sqlite3.Connection, Rule, int]] = []
        for target in targets:
            if not target.db_path.exists():
                report.skipped.append({"db": str(target.db_path), "reason": "database file not found"})
                continue
            try:
                conn = open_db(str(target.db_path))
                for rule in target.rules:
                    plan.append((target, conn, rule, count(conn, rule)))
            except sqlite3.Error as exc:
                report.skipped.append({"db": str(target.db_path), "reason": str(exc)})
                plan = [p for p in plan if p[0] is not target]
        total = sum(p[3] for p in plan)
        done = 0
        progress(0, total or 1, "counting done")
        for target, conn, rule, matched in plan:
            result = RuleResult(str(target.db_path), rule.name, rule.action, matched)
            report.rules.append(result)
            if dry_run or not matched:
                continue

            def advance(n: int, _r: RuleResult = result, _name: str = rule.name) -> None:
                nonlocal done
                done += n
                _r.done += n
                progress(done, total, _name)

            if rule.action == "archive":
                archive_rows(store, ArchiveTarget(conn, target.db_path, rule.table, rule.where, rule.params,
                                                  rule.time_column),
                             batch_rows=archive_batch, chunk=batch, now=now, on_rows=advance)
            else:
                batched(conn, rule, batch, advance)
        if not dry_run:
            for target in targets:
                if str(target.db_path) in conns:
                    info = reclaim(conns[str(target.db_path)], vacuum or str(m["vacuum"]), int(m["vacuum_min_mb"]))
                    report.vacuum.append({"db": str(target.db_path), **info})
        progress(total or 1, total or 1, "done")
    finally:
        for path, conn in conns.items():
            if conn is not store.conn:
                conn.close()
    return report
