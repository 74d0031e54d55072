"""The one exception type the CLI turns into a one-line message and an exit code."""

from __future__ import annotations

from .exitcodes import ExitCode


class FleetdeckError(Exception):
    """An expected failure: its message is shown to the user as is, on one line."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class UsageError(FleetdeckError):
    exit_code = ExitCode.USAGE


class DataError(FleetdeckError):
    exit_code = ExitCode.DATAERR


class UnavailableError(FleetdeckError):
    exit_code = ExitCode.UNAVAILABLE


class CantCreateError(FleetdeckError):
    exit_code = ExitCode.CANTCREAT


class BusyError(FleetdeckError):
    exit_code = ExitCode.TEMPFAIL


class ConfigError(FleetdeckError):
    exit_code = ExitCode.CONFIG
