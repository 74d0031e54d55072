"""Git auto-sync: fetch, fast-forward, auto-commit allowed paths, push - or skip with a reason. Never prompts.

Every git call runs with GIT_TERMINAL_PROMPT=0 and ssh in batch mode, and network calls are killed after
``[git_sync] timeout_s``. A repository is skipped, untouched, when it is locked (index.lock), in the middle of a
merge/rebase/cherry-pick/revert, on a detached HEAD, without an upstream, dirty outside ``commit_patterns``,
diverged from its upstream, or when the fast-forward would overwrite local changes.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..store import Store

GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_SSH_COMMAND": "ssh -o BatchMode=yes", "GIT_ASKPASS": "",
           "SSH_ASKPASS": "", "GCM_INTERACTIVE": "never"}


@dataclass
class RepoResult:
    path: str
    status: str = "ok"  # ok | skipped | error
    reason: str = ""
    branch: str = ""
    pulled: int = 0
    committed: list[str] = field(default_factory=list)
    pushed: int = 0
    uncommitted: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "reason": self.reason, "branch": self.branch,
                "pulled": self.pulled, "committed": self.committed, "pushed": self.pushed,
                "uncommitted": self.uncommitted}

    def skip(self, reason: str) -> "RepoResult":
        self.status, self.reason = "skipped", reason
        return self

    def fail(self, reason: str) -> "RepoResult":
        self.status, self.reason = "error", reason
        return self


def find_repos(store: Store, config: Config, only: list[str] | None = None) -> list[Path]:
    """Repositories from the configured globs plus session project dirs, each once, by work-tree root."""
    import git

    candidates: list[str] = []
    if only:
        candidates = list(only)
    else:
        for pattern in config.get("git_sync", "repos", []) or []:
            candidates.extend(sorted(glob.glob(os.path.expanduser(pattern), recursive=True)))
        if config.get("git_sync", "include_session_dirs", True):
            rows = store.query("SELECT DISTINCT project_dir FROM sessions WHERE project_dir IS NOT NULL")
            candidates.extend(r[0] for r in rows)
    roots: dict[str, Path] = {}
    for candidate in candidates:
        if not os.path.isdir(candidate):
            continue
        try:
            repo = git.Repo(candidate, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            continue
        if repo.bare or repo.working_tree_dir is None:
            continue
        root = Path(repo.working_tree_dir).resolve()
        roots.setdefault(str(root), root)
    return list(roots.values())


def _status_paths(repo: Any) -> list[str]:
    """Every changed, staged or untracked path (porcelain v1, -z so odd names survive)."""
    out = repo.git.status("--porcelain", "-z", "--untracked-files=all")
    paths: list[str] = []
    entries = out.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":  # a rename carries its source path as the next entry
            i += 1
    return paths


def _matches(path: str, patterns: list[str]) -> bool:
    # fnmatch's * also crosses "/", so "notes/*" and "notes/**" both cover the whole folder.
    return any(fnmatch.fnmatch(path, p) for p in patterns)


def _in_progress(git_dir: Path) -> str | None:
    if (git_dir / "index.lock").exists():
        return "locked (index.lock exists)"
    if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
        return "mid-rebase"
    if (git_dir / "MERGE_HEAD").exists():
        return "mid-merge"
    if (git_dir / "CHERRY_PICK_HEAD").exists():
        return "mid-cherry-pick"
    if (git_dir / "REVERT_HEAD").exists():
        return "mid-revert"
    return None


def _last_line(exc: Exception) -> str:
    text = str(getattr(exc, "stderr", "") or exc).strip().strip("'").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("stderr:")]
    return (lines[-1] if lines else text)[:200]


def sync_repo(path: Path, *, patterns: list[str], message: str, push: bool, dry_run: bool, timeout: int,
              now: float) -> RepoResult:
    import git

    result = RepoResult(str(path))
    try:
        repo = git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        return result.fail(f"not a git repository: {exc}")
    repo.git.update_environment(**GIT_ENV)
    busy = _in_progress(Path(repo.git_dir))
    if busy:
        return result.skip(busy)
    if repo.head.is_detached:
        return result.skip("detached HEAD")
    branch = repo.active_branch
    result.branch = branch.name
    upstream = branch.tracking_branch()
    if upstream is None:
        return result.skip("no upstream")
    changed = _status_paths(repo)
    result.uncommitted = changed
    outside = [p for p in changed if not _matches(p, patterns)]
    if outside:
        return result.skip(f"dirty outside patterns ({len(outside)} file{'s' if len(outside) != 1 else ''})")
    remote = upstream.remote_name
    try:
        repo.git.fetch(remote, kill_after_timeout=timeout)
    except git.GitCommandError as exc:
        return result.fail(f"fetch failed: {_last_line(exc)}")
    ahead, behind = (int(n) for n in repo.git.rev_list("--left-right", "--count", f"HEAD...{upstream.name}").split())
    if ahead and behind:
        return result.skip(f"diverged (ahead {ahead}, behind {behind})")
    if behind:
        if dry_run:
            result.pulled = behind
        else:
            try:
                repo.git.merge("--ff-only", upstream.name)
            except git.GitCommandError as exc:
                return result.skip(f"pull conflicts with local changes: {_last_line(exc)}")
            result.pulled = behind
    if changed:
        result.committed = changed
        if not dry_run:
            repo.git.add("-A", "--", *changed)
            text = message.format(date=dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%d"),
                                  files=len(changed))
            repo.git.commit("-m", text, "--no-verify")
        ahead += 1
    result.uncommitted = []
    if push and ahead:
        if not dry_run:
            try:
                repo.git.push(remote, f"HEAD:{upstream.remote_head}", kill_after_timeout=timeout)
            except git.GitCommandError as exc:
                return result.fail(f"push rejected: {_last_line(exc)}")
        result.pushed = ahead
    return result


def push_due(config: Config, now: float) -> bool:
    from ..schedule import parse_cron

    expression = str(config.get("git_sync", "push_schedule", "") or "").strip()
    if not config.get("git_sync", "push", True):
        return False
    if not expression:
        return True
    return parse_cron(expression).matches(dt.datetime.fromtimestamp(now, dt.timezone.utc).replace(tzinfo=None))


def sync_all(store: Store, config: Config, now: float, *, dry_run: bool, only: list[str] | None = None,
             no_push: bool = False,
             progress: Callable[[float, float | None, str], None] = lambda d, t=None, m="": None) -> list[RepoResult]:
    repos = find_repos(store, config, only)
    section = config.section("git_sync")
    push = push_due(config, now) and not no_push
    results = []
    for i, path in enumerate(repos):
        progress(i, len(repos), str(path))
        try:
            results.append(sync_repo(path, patterns=list(section["commit_patterns"]),
                                     message=str(section["commit_message"]), push=push, dry_run=dry_run,
                                     timeout=int(section["timeout_s"]), now=now))
        except Exception as exc:  # noqa: BLE001 - one broken repository must not stop the others
            results.append(RepoResult(str(path)).fail(f"{type(exc).__name__}: {_last_line(exc)}"))
    progress(len(repos), len(repos) or 1, "done")
    return results


def format_results(results: list[RepoResult]) -> str:
    header = ("REPO", "BRANCH", "STATUS", "PULLED", "COMMITTED", "PUSHED", "NOTE")
    rows = [(r.path, r.branch or "-", r.status, str(r.pulled), str(len(r.committed)), str(r.pushed),
             r.reason or (f"{len(r.uncommitted)} uncommitted" if r.uncommitted else "")) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)
