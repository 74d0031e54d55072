"""git-sync against real repositories with a local bare remote: syncs, every skip reason, and failures."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fleetdeck.services.maintenance.gitsync import find_repos, sync_repo

NOW = 1_767_225_600.0


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def git_fails(cwd: Path, *args: str) -> None:
    assert subprocess.run(["git", *args], cwd=cwd, capture_output=True).returncode != 0


def commit(repo: Path, name: str, text: str, message: str = "change") -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(bare), str(seed))
    _identity(seed)
    commit(seed, "README", "hello\n", "initial")
    commit(seed, "notes/todo.md", "one\n", "notes")
    git(seed, "push", "-q", "origin", "HEAD:main")
    return bare


def _identity(repo: Path) -> None:
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "user.name", "test")


def clone(remote: Path, where: Path) -> Path:
    git(where.parent, "clone", "-q", str(remote), str(where))
    _identity(where)
    return where


@pytest.fixture
def repo(remote: Path, tmp_path: Path) -> Path:
    return clone(remote, tmp_path / "work")


@pytest.fixture
def other(remote: Path, tmp_path: Path) -> Path:
    """Someone else pushing to the same remote."""
    return clone(remote, tmp_path / "other")


def sync(repo: Path, *, dry_run: bool = False, push: bool = True):  # noqa: ANN201
    return sync_repo(repo, patterns=["notes/*"], message="chore(notes): sync {date}", push=push,
                     dry_run=dry_run, timeout=20, now=NOW)


def test_a_clean_repository_behind_its_upstream_is_fast_forwarded(repo: Path, other: Path) -> None:
    commit(other, "a.txt", "a\n")
    commit(other, "b.txt", "b\n")
    git(other, "push", "-q", "origin", "HEAD:main")
    result = sync(repo)
    assert (result.status, result.pulled, result.pushed) == ("ok", 2, 0)
    assert (repo / "b.txt").exists()


def test_changes_matching_the_patterns_are_committed_with_the_template_and_pushed(repo: Path, remote: Path) -> None:
    (repo / "notes" / "todo.md").write_text("two\n")
    (repo / "notes" / "new.md").write_text("new\n")
    result = sync(repo)
    assert result.status == "ok"
    assert sorted(result.committed) == ["notes/new.md", "notes/todo.md"]
    assert result.pushed == 1
    assert git(remote, "log", "-1", "--format=%s", "main") == "chore(notes): sync 2026-01-01"


def test_dry_run_reports_what_would_happen_and_changes_nothing(repo: Path, other: Path) -> None:
    commit(other, "a.txt", "a\n")
    git(other, "push", "-q", "origin", "HEAD:main")
    (repo / "notes" / "todo.md").write_text("two\n")
    head = git(repo, "rev-parse", "HEAD")
    result = sync(repo, dry_run=True)
    assert (result.pulled, result.committed, result.pushed) == (1, ["notes/todo.md"], 1)
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == "M notes/todo.md"


def test_dirty_outside_the_patterns_is_skipped_and_the_changes_reported(repo: Path) -> None:
    (repo / "README").write_text("edited\n")
    (repo / "notes" / "todo.md").write_text("two\n")
    result = sync(repo)
    assert (result.status, result.reason) == ("skipped", "dirty outside patterns (1 file)")
    assert sorted(result.uncommitted) == ["README", "notes/todo.md"]


def test_detached_head_is_skipped(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    assert (sync(repo).status, sync(repo).reason) == ("skipped", "detached HEAD")


def test_a_branch_without_upstream_is_skipped(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "local-only")
    assert sync(repo).reason == "no upstream"


def test_diverged_from_upstream_is_skipped(repo: Path, other: Path) -> None:
    commit(other, "a.txt", "theirs\n")
    git(other, "push", "-q", "origin", "HEAD:main")
    commit(repo, "b.txt", "ours\n")
    result = sync(repo)
    assert (result.status, result.reason) == ("skipped", "diverged (ahead 1, behind 1)")


def _conflict_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, "README", "side\n")
    git(repo, "checkout", "-q", "main")
    commit(repo, "README", "main\n")


@pytest.mark.parametrize(("operation", "reason"), [
    (("merge", "side"), "mid-merge"),
    (("rebase", "side"), "mid-rebase"),
    (("cherry-pick", "side"), "mid-cherry-pick"),
])
def test_a_repository_in_the_middle_of_an_operation_is_skipped(repo: Path, operation: tuple[str, str],
                                                                reason: str) -> None:
    _conflict_branch(repo)
    git_fails(repo, *operation)
    assert sync(repo).reason == reason


def test_a_locked_index_is_skipped(repo: Path) -> None:
    (repo / ".git" / "index.lock").write_text("")
    assert sync(repo).reason == "locked (index.lock exists)"


def test_a_pull_that_would_overwrite_local_note_changes_is_skipped(repo: Path, other: Path) -> None:
    commit(other, "notes/todo.md", "theirs\n")
    git(other, "push", "-q", "origin", "HEAD:main")
    (repo / "notes" / "todo.md").write_text("ours\n")
    result = sync(repo)
    assert result.status == "skipped"
    assert result.reason.startswith("pull conflicts with local changes")
    assert (repo / "notes" / "todo.md").read_text() == "ours\n"


def test_a_rejected_push_is_reported_as_an_error(repo: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "notes" / "todo.md").write_text("two\n")
    result = sync(repo)
    assert result.status == "error"
    assert result.reason.startswith("push rejected")
    assert result.committed == ["notes/todo.md"]


def test_an_unreachable_remote_fails_that_repository_quickly(repo: Path, tmp_path: Path) -> None:
    git(repo, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = sync(repo)
    assert result.status == "error"
    assert result.reason.startswith("fetch failed")


def test_repositories_come_from_globs_and_session_project_dirs(repo: Path, other: Path, tmp_path: Path,
                                                               store, paths) -> None:  # noqa: ANN001
    from fleetdeck.services.config import load_config

    (repo / "sub").mkdir()
    store.execute("INSERT INTO sessions (key, name, created_at, project_dir) VALUES ('k', 'n', 0, ?)",
                  (str(repo / "sub"),))
    paths.config_file.write_text(f'[git_sync]\nrepos = ["{tmp_path}/oth*", "{tmp_path}/work"]\n')
    found = find_repos(store, load_config(paths))
    assert sorted(found) == sorted([other.resolve(), repo.resolve()])
