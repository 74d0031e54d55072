"""The spend jobs: transcript ingest."""

from __future__ import annotations

import argparse

from ..jobs import JobContext, JobResult, Progress, job


def _ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--claude-dir", action="append", metavar="DIR",
                        help="Claude Code config dir or its projects/ dir (repeatable; default $CLAUDE_CONFIG_DIR "
                             "or ~/.claude)")
    parser.add_argument("--codex-dir", action="append", metavar="DIR",
                        help="Codex home or its sessions/ dir (repeatable; default $CODEX_HOME or ~/.codex)")


@job(
    "ingest",
    description="Read new Claude Code and Codex transcript lines into the spend log",
    schedule="*/10 * * * *",
    mutates=True,
    add_arguments=_ingest_arguments,
    watch_interval=300,
)
async def ingest_job(ctx: JobContext, progress: Progress) -> JobResult:
    from ..exitcodes import ExitCode
    from .ingest import claude_roots, codex_roots, ingest
    from .pricing import pricer_for
    from .scan import note_missing_dirs, run_message

    spend = ctx.config.section("spend")
    claude = claude_roots(ctx.options.get("claude_dir"), spend.get("claude_dir") or "")
    codex = codex_roots(ctx.options.get("codex_dir"), spend.get("codex_dir") or "")
    if ctx.dry_run:
        from .scan import CLAUDE_PATTERN, CODEX_PATTERN, files_in

        files = list(files_in(claude, CLAUDE_PATTERN)) + list(files_in(codex, CODEX_PATTERN))
        return JobResult(f"ingest (dry run): {len(files):,} transcript files would be checked",
                         {"files": len(files), "claude_dirs": [str(p) for p in claude],
                          "codex_dirs": [str(p) for p in codex]})

    warnings: list[str] = []

    def warn(message: str) -> None:
        from loguru import logger

        logger.warning(message)
        if len(warnings) < 100:
            warnings.append(message)

    stats = ingest(ctx.store, pricer_for(ctx.config), claude_dirs=claude, codex_dirs=codex, warn=warn,
                   progress=lambda done, total, msg: progress(done, total, msg))
    summary = stats.as_json() | {"warnings": warnings, "claude_dirs": [str(p) for p in claude],
                                  "codex_dirs": [str(p) for p in codex]}
    message = run_message(stats.rows_added, stats.files_read, stats.files_seen, stats.bytes_read)
    message = note_missing_dirs(message, summary["warnings"], ctx.options.get("claude_dir"),
                                ctx.options.get("codex_dir"))
    if stats.torn_lines:
        message += f", {stats.torn_lines:,} torn lines skipped"
    if stats.skipped_files or stats.huge_lines:
        message += f", {len(stats.skipped_files) + stats.huge_lines:,} files/lines skipped (see warnings)"
    return JobResult(message, summary, ok=True, exit_code=ExitCode.OK)
