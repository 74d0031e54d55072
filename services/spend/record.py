"""Recording API calls in the store: validation, pricing, and the insert shared by every source."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import DataError
from ..workflows import check_workflow
from .pricing import ModelRates, Pricer, pricer_for

if TYPE_CHECKING:
    from ..store import Store

MAX_TOKENS = 10**12
FUTURE_SLACK_S = 300  # clocks drift; a call "from the future" by more than this is a typo

COLUMNS = ("at", "model", "provider", "workflow", "session", "fleet_session_id", "project_dir", "input_tokens",
           "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_micros", "baseline_cost_micros",
           "latency_ms", "status", "error", "source", "dedupe_key", "request_id")
INSERT_SQL = f"INSERT INTO api_calls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"


class LoggedCall(NamedTuple):
    """What was (or will be) stored for one call. ``id`` is None when the row went to the background writer
    (which prices it there: ``provider`` and the costs are None then; use ``price_call`` when you need them)."""

    model: str
    provider: str | None
    cost_micros: int | None
    baseline_cost_micros: int | None
    at: int
    id: int | None = None


def check_tokens(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise DataError(f"{name}: expected a whole number of tokens, got {value!r}")
    if value < 0:
        raise DataError(f"{name}: tokens cannot be negative ({value})")
    if value > MAX_TOKENS:
        raise DataError(f"{name}: {value} tokens is not plausible")
    return value


def check_at(at: float | None, now: float) -> int:
    if at is None:
        return int(now)
    if at > now + FUTURE_SLACK_S:
        raise DataError(f"time {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(at))} is in the future")
    if at < 946_684_800:  # 2000-01-01: older than any LLM API
        raise DataError(f"time {at} is before 2000")
    return int(at)


def build_row(
    pricer: Pricer,
    *,
    model: str,
    workflow: str | None,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    latency_ms: int | None = None,
    status: str = "ok",
    error: str | None = None,
    session: str | None = None,
    project_dir: str | None = None,
    source: str = "log",
    at: int,
    fleet_session_id: int | None = None,
    dedupe_key: str | None = None,
    request_id: str | None = None,
) -> tuple:
    """One api_calls row (in COLUMNS order), priced."""
    resolved = pricer.resolve(model)
    rates = pricer.rates(resolved)
    if rates is None:
        cost = None
        provider = pricer.provider(resolved)
    else:
        cost = rates.cost_micros(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
        provider = rates.provider
    baseline = (pricer.baseline(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
                if rates is None or rates.billed else 0)
    if error is not None:
        from ..logsetup import redact

        error = redact(str(error))[:500]
    return (at, resolved, provider, workflow, session, fleet_session_id, project_dir, input_tokens, output_tokens,
            cache_read_tokens, cache_write_tokens, cost, baseline, latency_ms, status, error, source, dedupe_key,
            request_id)


# What a transcript row sets: latency, status and error keep their column defaults (NULL, 'ok', NULL).
BULK_COLUMNS = tuple(c for c in COLUMNS if c not in ("latency_ms", "status", "error"))


class RowBuilder:
    """``build_row`` for bulk work (transcript ingest): the same values, in BULK_COLUMNS order, with the alias,
    the rates and the provider of each model name looked up once instead of per row."""

    def __init__(self, pricer: Pricer) -> None:
        self.pricer = pricer
        self._models: dict[str, tuple[str, str | None, ModelRates | None]] = {}

    @cached_property
    def _baseline(self) -> ModelRates | None:  # looked up with the first row: a run with none never prices
        return self.pricer.rates(self.pricer.baseline_model)

    def _model(self, model: str) -> tuple[str, str | None, ModelRates | None]:
        hit = self._models.get(model)
        if hit is None:
            pricer = self.pricer
            resolved = pricer.resolve(model)
            rates = pricer.rates(resolved)
            hit = self._models[model] = (resolved, rates.provider if rates else pricer.provider(resolved), rates)
        return hit

    def row(self, at: int, model: str, workflow: str | None, session: str | None, fleet_session_id: int | None,
            project_dir: str | None, input_tokens: int, output_tokens: int, cache_read_tokens: int,
            cache_write_tokens: int, source: str, dedupe_key: str | None, request_id: str | None) -> tuple:
        resolved, provider, rates = self._model(model)
        cost = (None if rates is None
                else rates.cost_micros(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens))
        baseline = self._baseline
        if rates is not None and not rates.billed:
            baseline = 0  # no call was made, so none was saved
        elif baseline is not None:
            baseline = baseline.cost_micros(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
        return (at, resolved, provider, workflow, session, fleet_session_id, project_dir, input_tokens,
                output_tokens, cache_read_tokens, cache_write_tokens, cost, baseline, source, dedupe_key, request_id)


def insert_rows(store: Store, rows: Sequence[tuple]) -> list[int]:
    """Insert rows in one transaction; rows whose dedupe_key already exists are ignored."""
    ids: list[int] = []
    sql = INSERT_SQL.replace("INSERT INTO", "INSERT OR IGNORE INTO")
    with store.write() as conn:
        for row in rows:
            cur = conn.execute(sql, row)
            ids.append(int(cur.lastrowid or 0))
    return ids


def log_api_call(
    *,
    model: str,
    workflow: str | None,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    latency_ms: int | None = None,
    status: str = "ok",
    error: str | None = None,
    session: str | None = None,
    project_dir: str | None = None,
    source: str = "log",
    at: float | None = None,
    store: Store | None = None,
    config: Any | None = None,
    fleet_session_id: int | None = None,
    request_id: str | None = None,
    dedupe_key: str | None = None,
) -> LoggedCall:
    """Record one API call: resolve the alias, price it, store it.

    With ``store`` the row is written now (in the caller's thread) and ``LoggedCall.id`` is its row id. Without
    it the call goes to the process's background writer for the default database (returns at once; the row
    lands within a second, and at exit at the latest). Bad input raises DataError (exit 65).
    An unknown model is stored with cost None (reported as unknown, never $0).
    """
    if store is None:
        from .writer import default_writer

        return default_writer().submit_call({
            "model": model, "workflow": workflow, "input_tokens": input_tokens, "output_tokens": output_tokens,
            "cache_read_tokens": cache_read_tokens, "cache_write_tokens": cache_write_tokens,
            "latency_ms": latency_ms, "status": status, "error": error, "session": session,
            "project_dir": project_dir, "source": source, "at": at, "fleet_session_id": fleet_session_id,
            "request_id": request_id, "dedupe_key": dedupe_key})
    pricer = pricer_for(config)
    row = validated_row(pricer, model=model, workflow=workflow, input_tokens=input_tokens,
                        output_tokens=output_tokens, cache_read_tokens=cache_read_tokens,
                        cache_write_tokens=cache_write_tokens, latency_ms=latency_ms, status=status, error=error,
                        session=session, project_dir=project_dir, source=source, at=at,
                        fleet_session_id=fleet_session_id, request_id=request_id, dedupe_key=dedupe_key)
    (row_id,) = insert_rows(store, [row])
    return LoggedCall(row[1], row[2], row[11], row[12], row[0], row_id or None)


def validated_row(pricer: Pricer, *, model: str, workflow: str | None, input_tokens: Any, output_tokens: Any,
                  cache_read_tokens: Any = 0, cache_write_tokens: Any = 0, latency_ms: Any = None,
                  status: str = "ok", error: str | None = None, session: str | None = None,
                  project_dir: str | None = None, source: str = "log", at: float | None = None,
                  fleet_session_id: int | None = None, request_id: str | None = None,
                  dedupe_key: str | None = None, now: float | None = None) -> tuple:
    if not model or not str(model).strip():
        raise DataError("model: cannot be empty")
    if status not in ("ok", "error"):
        raise DataError(f"status: expected ok or error, got {status!r}")
    if latency_ms is not None:
        latency_ms = check_tokens("latency_ms", latency_ms)
    return build_row(
        pricer, model=str(model), workflow=check_workflow(workflow),
        input_tokens=check_tokens("input_tokens", input_tokens),
        output_tokens=check_tokens("output_tokens", output_tokens),
        cache_read_tokens=check_tokens("cache_read_tokens", cache_read_tokens),
        cache_write_tokens=check_tokens("cache_write_tokens", cache_write_tokens),
        latency_ms=latency_ms, status=status, error=error, session=session, project_dir=project_dir,
        source=source, at=check_at(at, time.time() if now is None else now), fleet_session_id=fleet_session_id,
        dedupe_key=dedupe_key, request_id=request_id)


def rows_from(items: Iterable[dict[str, Any]], pricer: Pricer) -> list[tuple]:
    return [validated_row(pricer, **item) for item in items]
