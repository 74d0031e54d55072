"""Jobs about the store itself."""

from __future__ import annotations

from ..jobs import JobContext, JobResult, Progress, job


@job(
    "store-check",
    description="Check the database: integrity, schema version and row counts",
    schedule="30 4 * * *",
    mutates=False,
)
async def store_check(ctx: JobContext, progress: Progress) -> JobResult:
    from ..exitcodes import ExitCode

    store = ctx.store
    progress(0, 3, "integrity check")
    integrity = store.integrity_check()
    progress(1, 3, "schema version")
    version, latest = store.schema_version(), store.latest_version()
    progress(2, 3, "row counts")
    counts = store.row_counts()
    progress(3, 3, "done")
    ok = integrity == ["ok"] and version == latest
    size = store.path.stat().st_size if store.path.exists() else 0
    summary = {
        "path": str(store.path),
        "integrity": integrity[:20],
        "schema_version": version,
        "latest_version": latest,
        "size_bytes": size,
        "rows": counts,
    }
    total = sum(counts.values())
    if ok:
        message = f"store ok: schema v{version}, {len(counts)} tables, {total:,} rows, {size / 1e6:.1f} MB"
    else:
        message = f"store problem: integrity {integrity[0]!r}, schema v{version} of v{latest}"
    return JobResult(message, summary, ok=ok, exit_code=ExitCode.OK if ok else ExitCode.DATAERR)
