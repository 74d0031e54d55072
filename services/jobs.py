"""The job registry: every action fleetdeck can take on a schedule or from a key.

A job is an async callable ``(ctx, progress) -> JobResult`` registered with ``@job(...)`` in a ``jobs`` module
of a service package (``services/<area>/jobs.py``). The registry finds those modules itself. Job modules must
stay cheap to import: heavy libraries are imported inside the job function.
"""

from __future__ import annotations

import argparse
import pkgutil
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from .exitcodes import ExitCode

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Config
    from .events import EventBus
    from .store import Store


class Progress(Protocol):
    def __call__(self, done: float, total: float | None = None, message: str = "") -> None: ...


@dataclass
class JobResult:
    message: str  # one line for people: "cleanup: 1,204 rows removed"
    summary: dict[str, Any] = field(default_factory=dict)  # JSON-able details
    ok: bool = True  # False: the job ran but something it did failed (exit code below)
    exit_code: ExitCode = ExitCode.OK
    # Multi-line text for people at a terminal (a per-repo table, a dry run's listing): printed after the
    # message by `fleetdeck run` without --json; never in the JSON summary or job_runs (``summary`` has the data).
    details: str = ""


@dataclass
class JobContext:
    config: "Config"
    store: "Store"
    clock: "Clock"
    events: "EventBus"
    dry_run: bool = False
    trigger: str = "cli"  # cli, console, watch
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self):  # noqa: ANN201 - Paths; kept untyped to avoid an import cycle
        return self.config.paths


JobFunc = Callable[[JobContext, Progress], Awaitable[JobResult]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    description: str
    schedule: str | None  # default cron expression; None: not scheduled by default
    mutates: bool  # changes data: the console asks first, the CLI offers --dry-run
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None
    watch_interval: float | None = None  # seconds; `fleetdeck watch` runs it this often
    console_key: str | None = None  # optional direct key in the console

    @property
    def supports_dry_run(self) -> bool:
        return self.mutates


_REGISTRY: dict[str, JobSpec] = {}
_discovered = False


def job(
    name: str,
    *,
    description: str,
    schedule: str | None = None,
    mutates: bool = False,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    watch_interval: float | None = None,
    console_key: str | None = None,
) -> Callable[[JobFunc], JobFunc]:
    def register(func: JobFunc) -> JobFunc:
        if name in _REGISTRY and _REGISTRY[name].func is not func:
            raise RuntimeError(f"job {name!r} registered twice")
        _REGISTRY[name] = JobSpec(name, func, description, schedule, mutates, add_arguments, watch_interval,
                                  console_key)
        return func

    return register


def discover() -> None:
    """Import every ``fleetdeck.services.<area>.jobs`` module so their jobs register."""
    global _discovered
    if _discovered:
        return
    import fleetdeck.services as services_pkg

    for info in sorted(pkgutil.iter_modules(services_pkg.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        name = f"fleetdeck.services.{info.name}.jobs"
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    _discovered = True


def all_jobs() -> list[JobSpec]:
    discover()
    return sorted(_REGISTRY.values(), key=lambda spec: spec.name)


def get_job(name: str) -> JobSpec | None:
    discover()
    return _REGISTRY.get(name)


def effective_schedule(spec: JobSpec, config: "Config") -> str | None:
    """The job's schedule after config overrides ([schedule] name = "cron" or "off")."""
    override = config.get("schedule", spec.name)
    if override is None:
        return spec.schedule
    if str(override).strip().lower() in ("off", ""):
        return None
    return str(override)
