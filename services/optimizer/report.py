"""What the optimizer has done: scores with their trend, issues, applied changes, suggestions; and reverting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BusyError, ConfigError, DataError

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store


def build_report(store: "Store", limit_runs: int = 10) -> dict[str, Any]:
    runs = [dict(r) for r in store.query(
        "SELECT id, started_at, score, applied, suggested, rejected, note FROM optimizer_runs"
        " ORDER BY id DESC LIMIT ?", (limit_runs,))]
    latest = runs[0] if runs else None
    files: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    if latest is not None:
        for r in store.query("SELECT * FROM optimizer_reviews WHERE run_id = ? ORDER BY file", (latest["id"],)):
            prev = store.scalar(
                "SELECT score FROM optimizer_reviews WHERE file = ? AND run_id < ? AND score IS NOT NULL"
                " ORDER BY run_id DESC LIMIT 1", (r["file"], latest["id"]))
            files.append({"file": r["file"], "status": r["status"], "score": r["score"], "previous": prev,
                          "trend": None if r["score"] is None or prev is None else r["score"] - prev,
                          "error": r["error"]})
            issues.extend({**i, "file": r["file"]} for i in json.loads(r["issues"] or "[]"))
    order = {"high": 0, "medium": 1, "low": 2}
    issues.sort(key=lambda i: order.get(i.get("severity"), 3))
    changes = [dict(r) for r in store.query(
        "SELECT id, run_id, file, change_type, rationale, patch, status, reason, commit_sha, revert_sha, updated_at"
        " FROM optimizer_changes WHERE status IN ('applied', 'reverted', 'suggested') ORDER BY id DESC LIMIT 200")]
    prev_score = runs[1]["score"] if len(runs) > 1 else None
    return {
        "score": latest["score"] if latest else None,
        "trend": None if not latest or latest["score"] is None or prev_score is None else latest["score"] - prev_score,
        "runs": runs,
        "files": files,
        "issues": issues,
        "applied": [c for c in changes if c["status"] in ("applied", "reverted")],
        "suggestions": [c for c in changes if c["status"] == "suggested"],
    }


def _clean_workspace(config: "Config", then: str) -> tuple[Any, Path]:
    """The optimizer's workspace repository, refusing one that is missing or has uncommitted changes."""
    import git

    workspace = Path(str(config.get("optimizer", "workspace") or "")).expanduser()
    try:
        repo = git.Repo(workspace)
    except (git.NoSuchPathError, git.InvalidGitRepositoryError):
        raise ConfigError(f"optimizer.workspace {workspace}: not a git repository") from None
    if repo.is_dirty(untracked_files=False):
        raise BusyError(f"{workspace} has uncommitted changes; commit or stash them{then}")
    return repo, workspace


def revert_change(store: "Store", config: "Config", change_id: int, *, now: float, dry_run: bool = False) -> dict:
    import git

    from . import patches

    row = store.query_one("SELECT * FROM optimizer_changes WHERE id = ?", (change_id,))
    if row is None:
        raise DataError(f"no optimizer change {change_id}")
    if row["status"] != "applied" or not row["commit_sha"]:
        raise DataError(f"change {change_id} is {row['status']}, only applied changes can be reverted")
    repo, _ = _clean_workspace(config, ", then revert")
    result = {"change": change_id, "file": row["file"], "commit": row["commit_sha"], "dry_run": dry_run}
    if dry_run:
        return result
    try:
        sha = patches.revert_commit(repo, row["commit_sha"])
    except git.GitCommandError as exc:
        repo.git.revert("--abort") if (Path(repo.git_dir) / "REVERT_HEAD").exists() else None
        raise DataError(f"cannot revert {row['commit_sha'][:10]} cleanly: {str(exc.stderr).strip()[:200]}") from None
    with store.write() as conn:
        conn.execute("UPDATE optimizer_changes SET status = 'reverted', revert_sha = ?, updated_at = ? WHERE id = ?",
                     (sha, int(now), change_id))
    result["revert_commit"] = sha
    return result


def apply_suggestion(store: "Store", config: "Config", change_id: int, *, now: float) -> dict:
    """Apply a waiting suggestion a person approved: any change type or size, but still only the reviewed
    listed file, inside the workspace, onto a clean tree, and only when it applies cleanly."""
    from . import patches
    from .review import Improvement

    row = store.query_one("SELECT * FROM optimizer_changes WHERE id = ?", (change_id,))
    if row is None or row["status"] != "suggested":
        raise DataError(f"change {change_id} is not a waiting suggestion")
    repo, workspace = _clean_workspace(config, " first")
    imp = Improvement(row["file"], row["rationale"], row["change_type"], row["patch"])
    opts = {**config.section("optimizer"), "allowed_change_types": [imp.change_type],
            "max_added_lines": 10**6, "max_deleted_lines": 10**6}
    listed = [str(f) for f in config.get("optimizer", "files") or []]
    verdict = patches.judge(imp, reviewed=row["file"], listed=listed, workspace=workspace, opts=opts)
    problem = verdict.reason if verdict.action != "apply" else patches.applies(repo, imp.patch)
    if problem:
        raise DataError(f"change {change_id} cannot be applied: {problem}")
    sha = patches.apply_and_commit(repo, imp)
    with store.write() as conn:
        conn.execute("UPDATE optimizer_changes SET status = 'applied', commit_sha = ?, reason = NULL,"
                     " updated_at = ? WHERE id = ?", (sha, int(now), change_id))
    return {"change": change_id, "file": row["file"], "commit": sha}
