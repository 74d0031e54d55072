"""fleetdeck's own log: loguru to a rotating file, never onto the console's screen.

Headless commands may add a stderr sink (warnings by default, everything with --debug). Secrets are scrubbed
from every record before it is written.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config

# Each pattern keeps its first group (a harmless prefix, possibly empty) and hides the rest of the match.
_SECRET_PATTERNS = [
    re.compile(r"()sk-[A-Za-z0-9_\-]{8,}"),  # OpenAI / Anthropic style keys
    re.compile(r"()xox[abprs]-[A-Za-z0-9\-]{8,}"),  # Slack tokens
    re.compile(r"(hooks\.slack\.com/services/)[A-Za-z0-9/]+"),
    re.compile(r"(api\.telegram\.org/bot)[0-9]+:[A-Za-z0-9_\-]+"),
    re.compile(r"(?i)((?:api[_-]?key|token|secret|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
]

_configured = False


def redact(text: str) -> str:
    """Replace anything that looks like a credential with «redacted»."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "«redacted»", text)
    return text


def _patch(record: dict) -> None:
    record["message"] = redact(record["message"])


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def setup_logging(config: "Config", *, stderr_level: str | None = None) -> None:
    """Route loguru to the log file; call once per process."""
    global _configured
    from loguru import logger

    logger.remove()
    paths = config.paths
    paths.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    general = config.section("general")
    logger.configure(patcher=_patch)
    logger.add(
        paths.log_file,
        level=str(general.get("log_level", "INFO")).upper(),
        rotation=f"{int(general.get('log_rotation_mb', 10))} MB",
        retention=int(general.get("log_retention", 5)),
        compression="gz",
        enqueue=False,
        encoding="utf-8",
        backtrace=False,
        diagnose=False,  # diagnose would print local variables, which can hold prompts or keys
        opener=_private,  # job results name spend and sessions: owner-only, like the database
    )
    if stderr_level:
        # Tracebacks and other file-only records stay out of stderr unless we are debugging.
        debugging = stderr_level.upper() in ("TRACE", "DEBUG")
        logger.add(
            sys.stderr,
            level=stderr_level,
            format="{level}: {message}",
            colorize=False,
            filter=None if debugging else (lambda record: not record["extra"].get("file_only")),
        )
    _configured = True
