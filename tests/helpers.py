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


def run_in_terminal(args: Sequence[str], *, env: Mapping[str, str] | None = None,
                    timeout: float = 30) -> tuple[int, bytes]:
    """Run `fleetdeck ARGS` with a pseudo-terminal as stdin, stdout and stderr, as in a user's shell: (exit code,
    everything the terminal received)."""
    import pty

    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "fleetdeck.app.cli", *args], env=dict(env or os.environ),
                            stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    out = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        out += chunk
    os.close(primary)
    return proc.wait(timeout), out
