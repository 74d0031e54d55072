"""Deciding whether a proposed change is safe to apply, and applying it as its own git commit.

Everything about a patch is untrusted: the file it claims, the paths in its headers, its size, its change type.
A change is applied only when all of these hold; otherwise it is kept as a suggestion (or rejected outright
when it reaches outside the reviewed file).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .review import Improvement

_HEADER = re.compile(r"^(?:---|\+\+\+) (?:[ab]/)?(\S+)", re.M)
_DIFF_GIT = re.compile(r"^diff --git a/(\S+) b/(\S+)", re.M)
AUTHOR = ("fleetdeck optimizer", "optimizer@fleetdeck.invalid")


@dataclass
class Verdict:
    action: str  # apply, suggest, reject
    reason: str = ""


def _inside(workspace: Path, rel: str) -> bool:
    """True when ``rel`` names a regular, non-symlinked file path inside the workspace."""
    if not rel or rel.startswith("/") or "\\" in rel or any(part == ".." for part in Path(rel).parts):
        return False
    path = workspace / rel
    probe = workspace
    for part in Path(rel).parts:
        probe = probe / part
        if probe.is_symlink():
            return False
    try:
        return path.resolve().is_relative_to(workspace.resolve())
    except OSError:
        return False


def patch_paths(patch: str) -> set[str]:
    paths = {p for p in _HEADER.findall(patch) if p != "/dev/null"}
    for a, b in _DIFF_GIT.findall(patch):
        paths.update((a, b))
    return paths


def line_counts(patch: str) -> tuple[int, int]:
    added = deleted = 0
    for line in patch.splitlines():
        if line.startswith("+++") or line.startswith("---"):
            continue
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            deleted += 1
    return added, deleted


def judge(imp: Improvement, *, reviewed: str, listed: list[str], workspace: Path, opts: dict[str, Any]) -> Verdict:
    """apply / suggest / reject for one improvement to the file ``reviewed``."""
    if imp.file != reviewed:
        return Verdict("reject", f"targets {imp.file!r}, not the reviewed file {reviewed!r}")
    if imp.file not in listed or not _inside(workspace, imp.file):
        return Verdict("reject", f"{imp.file!r} is not a listed file inside the workspace")
    paths = patch_paths(imp.patch)
    if not paths:
        return Verdict("reject", "the patch is not a unified diff (no file headers)")
    if paths != {imp.file}:
        return Verdict("reject", f"the patch touches {sorted(paths)}, not only {imp.file!r}")
    if "GIT binary patch" in imp.patch or re.search(r"^(new|deleted) file mode|^rename |^old mode", imp.patch, re.M):
        return Verdict("reject", "the patch changes file modes, names or binary content")
    added, deleted = line_counts(imp.patch)
    if imp.change_type not in opts.get("allowed_change_types", ()):
        return Verdict("suggest", f"change type {imp.change_type!r} is not on the auto-apply list")
    if deleted > int(opts.get("max_deleted_lines", 3)):
        return Verdict("suggest", f"deletes {deleted} lines (limit {opts.get('max_deleted_lines', 3)})")
    if added > int(opts.get("max_added_lines", 30)):
        return Verdict("suggest", f"adds {added} lines (limit {opts.get('max_added_lines', 30)})")
    return Verdict("apply")


def _patch_file(patch: str) -> str:
    fd, name = tempfile.mkstemp(prefix="fleetdeck-opt-", suffix=".diff")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(patch if patch.endswith("\n") else patch + "\n")
    return name


def applies(repo: Any, patch: str) -> str | None:
    """None when ``git apply --check`` accepts the patch, else git's complaint (one line)."""
    import git

    name = _patch_file(patch)
    try:
        repo.git.apply("--check", "--recount", name)
        return None
    except git.GitCommandError as exc:
        lines = [ln for ln in str(exc.stderr or exc).splitlines() if ln.strip()]
        return (lines[0] if lines else "does not apply").strip().strip("'").removeprefix("stderr: ")[:200]
    finally:
        os.unlink(name)


def apply_and_commit(repo: Any, imp: Improvement) -> str:
    """Apply one checked patch and commit only that file; returns the commit sha."""
    from git import Actor

    name = _patch_file(imp.patch)
    try:
        repo.git.apply("--recount", name)
    finally:
        os.unlink(name)
    repo.index.add([imp.file])
    actor = Actor(*AUTHOR)
    message = f"optimizer: {imp.change_type} in {imp.file}\n\n{imp.rationale.strip()[:2000]}\n"
    commit = repo.index.commit(message, author=actor, committer=actor)
    return commit.hexsha


def revert_commit(repo: Any, sha: str) -> str:
    repo.git.revert(sha, "--no-edit", env={"GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1],
                                          "GIT_COMMITTER_NAME": AUTHOR[0], "GIT_COMMITTER_EMAIL": AUTHOR[1]})
    return repo.head.commit.hexsha
