"""Handoff notes: what a restarted agent needs to pick its work up again."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def git_summary(project_dir: str | None) -> str:
    if not project_dir or not os.path.isdir(project_dir):
        return "(no project directory)"
    try:
        import git

        repo = git.Repo(project_dir, search_parent_directories=True)
        status = repo.git.status("--short", "--branch")
        diffstat = repo.git.diff("--stat", "HEAD") if repo.head.is_valid() else ""
    except Exception as exc:  # noqa: BLE001 - not a repository, git missing: say so in the note
        return f"(no git information: {type(exc).__name__})"
    return f"$ git status --short --branch\n{status}\n\n$ git diff --stat HEAD\n{diffstat or '(no changes)'}"


def write_note(handoff_dir: Path, session: dict[str, Any], *, screen: str, task: str | None, now: float) -> Path:
    """Write the note (mode 0600, it may quote prompts) and return its path."""
    handoff_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(session.get("name") or "session"))
    path = handoff_dir / f"{safe}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(now))}.md"
    body = "\n".join([
        f"# Handoff note for {session.get('name')}",
        "",
        f"- written: {time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime(now))}",
        f"- agent: {session.get('agent_kind')}  context left: {session.get('context_left')}%",
        f"- project: {session.get('project_dir')}",
        f"- transcript: {session.get('transcript_path') or '(unknown)'}",
        "",
        "## Current task",
        "",
        task or "(no task recorded by the queue)",
        "",
        "## Git",
        "",
        "```",
        git_summary(session.get("project_dir")),
        "```",
        "",
        "## Last screen",
        "",
        "```",
        screen.rstrip(),
        "```",
        "",
    ])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    return path
