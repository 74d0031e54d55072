"""One optimizer pass: review every listed file, then apply the safe changes, each as its own commit.

All reviews happen before anything is applied, so an unreachable model (exit 69) leaves the workspace
untouched. A dirty workspace, or --dry-run, turns every change into a suggestion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from loguru import logger

from ..errors import ConfigError, UnavailableError
from . import patches
from .review import Review, SchemaError, review_file

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store


@dataclass
class FileResult:
    file: str
    status: str  # reviewed, not_reviewed, missing
    score: int | None = None
    issues: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    review: Review | None = None


def make_asker(config: "Config", store: "Store") -> Callable[[list[dict[str, str]]], str]:
    """A function sending messages to the configured model (endpoints from [router]); logs spend."""
    from ..router.providers import AttemptFailed, call_model
    from ..router.router import spend_model_name
    from ..router.tiers import ModelRef
    from ..spend import log_api_call

    ref = ModelRef.parse(str(config.get("optimizer", "model")))
    if ref.provider == "tier":
        from ..router.tiers import load_tiers, tier_by_name

        tier = tier_by_name(load_tiers(config.section("router")), ref.model)
        if tier is None:
            raise ConfigError(f"optimizer.model: no router tier named {ref.model!r}")
        ref = tier.models[0]
    cfg = {**config.section("router"), "max_tokens": 4096}

    def ask(messages: list[dict[str, str]]) -> str:
        try:
            answer = call_model(ref, messages, cfg)
        except AttemptFailed as exc:
            if exc.kind == "unavailable":
                raise UnavailableError(f"optimizer model {ref} unreachable: {exc}") from None
            if exc.kind == "empty":
                return ""
            raise
        log_api_call(model=spend_model_name(ref), workflow="optimizer", input_tokens=answer.input_tokens,
                     output_tokens=answer.output_tokens, cache_read_tokens=answer.cache_read_tokens,
                     cache_write_tokens=answer.cache_write_tokens, latency_ms=answer.latency_ms,
                     source="optimizer", store=store, config=config)
        return answer.text

    return ask


def review_all(ask: Callable[[list[dict[str, str]]], str], workspace: Path, files: list[str],
               max_bytes: int) -> list[FileResult]:
    from ..router.providers import AttemptFailed

    results = []
    for name in files:
        path = workspace / name
        if not patches._inside(workspace, name) or not path.is_file():
            results.append(FileResult(name, "missing", error="no such file in the workspace (or not a plain file)"))
            continue
        data = path.read_bytes()
        if len(data) > max_bytes:
            results.append(FileResult(name, "not_reviewed", error=f"{len(data)} bytes, over the {max_bytes} limit"))
            continue
        try:
            review = review_file(ask, name, data.decode("utf-8", errors="replace"), files)
        except SchemaError as exc:
            results.append(FileResult(name, "not_reviewed", error=f"invalid answer after one repair: {exc}"))
            continue
        except AttemptFailed as exc:
            results.append(FileResult(name, "not_reviewed", error=f"{exc.kind}: {exc}"))
            continue
        results.append(FileResult(name, "reviewed", review.score, review.issues, review=review))
    return results


def run_optimizer(config: "Config", store: "Store", *, now: float, dry_run: bool = False,
                  ask: Callable[[list[dict[str, str]]], str] | None = None) -> dict[str, Any]:
    import git

    opts = config.section("optimizer")
    if not opts.get("workspace"):
        raise ConfigError("optimizer.workspace is not set: the git repository holding the agents' files")
    workspace = Path(str(opts["workspace"])).expanduser()
    files = [str(f) for f in opts.get("files") or []]
    try:
        repo = git.Repo(workspace)
        dirty = repo.is_dirty(untracked_files=False)
    except (git.NoSuchPathError, git.InvalidGitRepositoryError):
        repo, dirty = None, False  # each file is then reported (missing, or suggestions only)
    ask = ask or make_asker(config, store)
    results = review_all(ask, workspace, files, int(opts.get("max_file_bytes", 60000)))

    if dry_run:
        note = "dry run: nothing applied"
    elif repo is None:
        note = f"{workspace} is not a git repository: suggestions only"
    elif dirty:
        note = "workspace has uncommitted changes: suggestions only"
    else:
        note = None
    changes: list[dict[str, Any]] = []
    would_apply = 0
    for res in results:
        if res.review is None:
            continue
        for imp in res.review.improvements:
            verdict = patches.judge(imp, reviewed=res.file, listed=files, workspace=workspace, opts=opts)
            if verdict.action == "apply" and repo is not None:
                problem = patches.applies(repo, imp.patch)
                if problem:
                    verdict = patches.Verdict("reject", f"patch does not apply: {problem}")
            if verdict.action == "apply" and note:
                verdict = patches.Verdict("suggest", note or "")
                would_apply += 1
            entry = {"file": imp.file, "change_type": imp.change_type, "rationale": imp.rationale,
                     "patch": imp.patch, "status": {"apply": "applied", "suggest": "suggested",
                                                    "reject": "rejected"}[verdict.action],
                     "reason": verdict.reason or None, "commit_sha": None}
            if verdict.action == "apply" and repo is not None:
                entry["commit_sha"] = patches.apply_and_commit(repo, imp)
            elif verdict.action == "reject":
                logger.warning("optimizer: rejected change to {}: {}", imp.file, verdict.reason)
            changes.append(entry)

    scores = [r.score for r in results if r.score is not None]
    overall = round(sum(scores) / len(scores)) if scores else None
    counts = {s: sum(c["status"] == s for c in changes) for s in ("applied", "suggested", "rejected")}
    summary = {"workspace": str(workspace), "score": overall, "dry_run": dry_run, "note": note, **counts,
               "would_apply": would_apply,
               "files": [{"file": r.file, "status": r.status, "score": r.score, "issues": r.issues,
                          "error": r.error} for r in results],
               "changes": changes}
    if not dry_run:
        summary["run_id"] = _save(store, config, summary, now)
        from ..notify.outbox import enqueue

        enqueue(store, source="optimizer",
                title=f"Self-optimization complete: {counts['applied']} improvements applied, "
                      f"score {overall if overall is not None else '?'}/100",
                body=f"{counts['suggested']} suggestions waiting, {counts['rejected']} rejected; "
                     f"{sum(r.status != 'reviewed' for r in results)} files not reviewed."
                     + (f" {note}." if note else ""),
                dedupe_key=f"optimizer-run-{summary['run_id']}", now=now)
    return summary


def _save(store: "Store", config: "Config", summary: dict[str, Any], now: float) -> int:
    at = int(now)
    with store.write() as conn:
        run_id = int(conn.execute(
            "INSERT INTO optimizer_runs (started_at, finished_at, workspace, model, score, applied, suggested,"
            " rejected, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, at, summary["workspace"], str(config.get("optimizer", "model")), summary["score"],
             summary["applied"], summary["suggested"], summary["rejected"], summary["note"])).lastrowid)
        for f in summary["files"]:
            conn.execute("INSERT INTO optimizer_reviews (run_id, file, status, score, issues, error)"
                         " VALUES (?, ?, ?, ?, ?, ?)",
                         (run_id, f["file"], f["status"], f["score"], json.dumps(f["issues"]), f["error"]))
        for c in summary["changes"]:
            c["id"] = int(conn.execute(
                "INSERT INTO optimizer_changes (run_id, file, change_type, rationale, patch, status, reason,"
                " commit_sha, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, c["file"], c["change_type"], c["rationale"], c["patch"], c["status"], c["reason"],
                 c["commit_sha"], at)).lastrowid)
    return run_id
