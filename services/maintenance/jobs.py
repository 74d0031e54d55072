"""Maintenance jobs: cleanup (daily), git-sync (every 4 hours), backup (daily; logs and configs weekly),
archive-projects (weekly; off until [backup] archive_paths lists something)."""

from __future__ import annotations

import argparse

from ..jobs import JobContext, JobResult, Progress, job


def _cleanup_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vacuum", choices=("auto", "incremental", "full", "off"),
                        help="how to reclaim space this time (default: [maintenance] vacuum)")


@job("cleanup", description="Delete old prompts, archive old activity, remove orphans, reclaim space",
     schedule="15 3 * * *", mutates=True, add_arguments=_cleanup_args)
async def cleanup(ctx: JobContext, progress: Progress) -> JobResult:
    from .cleanup import run_cleanup

    report = run_cleanup(ctx.store, ctx.config, int(ctx.clock.now()), dry_run=ctx.dry_run,
                         vacuum=ctx.options.get("vacuum"), progress=progress)
    matched = sum(r.matched for r in report.rules)
    done = sum(r.done for r in report.rules)
    summary = {
        "rules": [r.as_json() for r in report.rules],
        "skipped": report.skipped,
        "recovered": report.recovered,
        "vacuum": report.vacuum,
        "rows_matched": matched,
        "rows_changed": done,
    }
    if ctx.dry_run:
        lines = [f"  {r.rule} [{r.db}]: {r.matched:,} rows ({r.action})" for r in report.rules]
        lines += [f"  skipped {s['db']}: {s['reason']}" for s in report.skipped]
        return JobResult(f"cleanup (dry run): {matched:,} rows would go", summary, details="\n".join(lines))
    parts = [f"cleanup: {done:,} rows removed or unlinked"]
    archived = sum(r.done for r in report.rules if r.action == "archive")
    if archived:
        parts.append(f"{archived:,} archived")
    reclaimed = [v for v in report.vacuum if v.get("action") != "none"]
    if reclaimed:
        parts.append("space reclaimed")
    if report.skipped:
        parts.append(f"{len(report.skipped)} database(s) skipped")
    return JobResult(", ".join(parts), summary)


def _git_sync_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", action="append", default=[], help="sync only this repository (repeatable)")
    parser.add_argument("--no-push", action="store_true", help="never push in this run")


@job("git-sync", description="Fetch, fast-forward, auto-commit notes and push every known repository",
     schedule="0 */4 * * *", mutates=True, add_arguments=_git_sync_args)
async def git_sync(ctx: JobContext, progress: Progress) -> JobResult:
    from ..exitcodes import ExitCode
    from .gitsync import sync_all

    results = sync_all(ctx.store, ctx.config, ctx.clock.now(), dry_run=ctx.dry_run,
                       only=ctx.options.get("repo") or None, no_push=bool(ctx.options.get("no_push")),
                       progress=progress)
    rows = [r.as_json() for r in results]
    failed = [r for r in results if r.status == "error"]
    synced = [r for r in results if r.status == "ok"]
    skipped = [r for r in results if r.status == "skipped"]
    message = (f"git-sync{' (dry run)' if ctx.dry_run else ''}: {len(synced)} synced, {len(skipped)} skipped, "
               f"{len(failed)} failed of {len(results)} repos")
    from .gitsync import format_results

    ok = not failed
    return JobResult(message, {"repos": rows}, ok=ok, exit_code=ExitCode.OK if ok else ExitCode.UNAVAILABLE,
                     details=format_results(results) if results else "")


def _backup_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weekly", action="store_true", help="also archive logs and configs now")


@job("backup", description="Back up the databases (verified), archive logs and configs weekly, apply retention",
     schedule="45 2 * * *", mutates=True, add_arguments=_backup_args)
async def backup(ctx: JobContext, progress: Progress) -> JobResult:
    from ..exitcodes import ExitCode
    from .backup import run_backup

    report = run_backup(ctx.store, ctx.config, ctx.clock.now(), dry_run=ctx.dry_run,
                        weekly=bool(ctx.options.get("weekly")), progress=progress)
    ok = not report.errors
    message = report.message(ctx.dry_run)
    return JobResult(message, report.as_json(), ok=ok, exit_code=ExitCode.OK if ok else ExitCode.CANTCREAT)


@job("archive-projects", description="Pack project data untouched for [backup] archive_after_days into a "
     "verified archive, then remove it", schedule="30 3 * * 0", mutates=True)
async def archive_projects(ctx: JobContext, progress: Progress) -> JobResult:
    from ..exitcodes import ExitCode
    from .projectarchive import run_project_archive

    report = run_project_archive(ctx.store, ctx.config, ctx.clock.now(), dry_run=ctx.dry_run,
                                 progress=progress)
    ok = not report.errors
    return JobResult(report.message(ctx.dry_run), report.as_json(), ok=ok,
                     exit_code=ExitCode.OK if ok else ExitCode.CANTCREAT, details=report.details(ctx.dry_run))
