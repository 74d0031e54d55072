"""Small helpers for tests that run the real `fleetdeck` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Mapping, Sequence


def run_cli(args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess[str]:  # noqa: A002
    """Run `fleetdeck ARGS` exactly as a user would (a fresh interpreter), capturing its output."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, input=input)


def run_python(code: str, *, env: Mapping[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env,
                          timeout=timeout)
