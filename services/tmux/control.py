"""An asyncio tmux control-mode client: one long-lived ``tmux -C`` per server, commands pipelined on its stdin.

Replies come back between ``%begin TIME NUM FLAGS`` and ``%end``/``%error`` with the same NUM, in the order the
commands were sent; lines starting with ``%`` outside a block are notifications (ignored here: the client asks
for no pane output). When the server goes away the process ends; pending commands fail with
:class:`TmuxUnavailable` and the next ``command`` call starts a new client.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections import deque

from .paste import tmux_base


READ_CHUNK = 256 * 1024


class TmuxUnavailable(Exception):
    """The tmux server cannot be reached (not running, socket gone, tmux not installed)."""


class TmuxCommandError(Exception):
    """tmux answered a command with %error."""


class ControlClient:
    def __init__(self, socket: str, *, timeout: float = 5.0) -> None:
        self.socket = socket
        self.timeout = timeout
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: deque[asyncio.Future[list[str]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self.last_error: str | None = None

    @property
    def connected(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def _start(self) -> None:
        if shutil.which("tmux") is None:
            raise TmuxUnavailable("tmux is not installed")
        base = tmux_base(self.socket)
        # Ask for the first session's name outside control mode: attach needs one, and an error here
        # ("no server running", "error connecting") is the clearest reason to show.
        probe = await asyncio.create_subprocess_exec(
            *base, "list-sessions", "-F", "#{session_id}",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL)
        out, err = await probe.communicate()
        if probe.returncode != 0 or not out.strip():
            reason = err.decode(errors="replace").strip() or "no sessions"
            raise TmuxUnavailable(reason.splitlines()[0] if reason else "unavailable")
        first = out.decode().split()[0]
        try:
            await self._attach(base, ["-f", "no-output,ignore-size", "-t", first])
        except TmuxUnavailable:
            # tmux before 3.2 has no client flags: attach plainly (pane output then arrives as notifications,
            # which the reader skips).
            await self._attach(base, ["-t", first])

    async def _attach(self, base: list[str], args: list[str]) -> None:
        env = dict(os.environ)
        env.pop("TMUX", None)
        self._proc = await asyncio.create_subprocess_exec(
            *base, "-C", "attach-session", *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            env=env, limit=16 * 1024 * 1024)
        self._loop = asyncio.get_running_loop()
        greeting: asyncio.Future[list[str]] = self._loop.create_future()
        # Each client process gets its own queue, so a dying reader can only fail its own commands.
        self._pending = deque([greeting])  # the attach command's own %begin/%end comes first
        self._reader = asyncio.create_task(self._read_loop(self._proc, self._pending))
        try:
            await asyncio.wait_for(greeting, self.timeout)
        except (asyncio.TimeoutError, TmuxCommandError, TmuxUnavailable) as exc:
            await self.close()
            raise TmuxUnavailable(f"control mode did not start: {exc}") from None

    async def _read_loop(self, proc: asyncio.subprocess.Process, pending: deque[asyncio.Future[list[str]]]) -> None:
        assert proc.stdout is not None
        stdout = proc.stdout
        block: list[str] | None = None
        number = ""
        tail = b""
        try:
            while True:
                # Whole chunks, split here: a poll brings back hundreds of capture lines, and reading them one
                # readline() at a time cost more than everything else the poll does.
                chunk = await stdout.read(READ_CHUNK)
                if not chunk:
                    break
                data = tail + chunk
                cut = data.rfind(b"\n") + 1
                tail = data[cut:]
                if not cut:
                    continue
                # A newline byte never occurs inside a UTF-8 sequence, so whole lines decode on their own.
                for line in data[:cut].decode("utf-8", "replace").split("\n")[:-1]:
                    if line.endswith("\r"):
                        line = line[:-1]
                    if block is None:
                        if line.startswith("%begin "):
                            parts = line.split(" ")
                            number = parts[2] if len(parts) > 2 else ""
                            block = []
                        continue  # notifications (%session-changed, %exit, ...) need nothing from us
                    if line.startswith(("%end ", "%error ")):
                        parts = line.split(" ")
                        if len(parts) >= 3 and parts[2] == number:
                            fut = pending.popleft() if pending else None
                            if fut is not None and not fut.done():
                                if parts[0] == "%end":
                                    fut.set_result(block)
                                else:
                                    fut.set_exception(TmuxCommandError("\n".join(block) or "tmux error"))
                            block = None
                            continue
                    block.append(line)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            self.last_error = "tmux server went away"
            while pending:
                fut = pending.popleft()
                if not fut.done():
                    fut.set_exception(TmuxUnavailable("tmux server went away"))

    async def ensure(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not None and self._loop is not loop:
            self._proc, self._reader, self._loop = None, None, None  # a client from a finished event loop
            self._pending.clear()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:
            if not self.connected or self._reader is None or self._reader.done():
                await self.close()
                await self._start()

    _lock_loop: asyncio.AbstractEventLoop | None = None

    async def commands(self, commands: list[str]) -> list[list[str] | Exception]:
        """Send several commands at once; return each one's output lines (or the error it got), in order."""
        if not commands:
            return []
        await self.ensure()
        assert self._proc is not None and self._proc.stdin is not None and self._loop is not None
        futures = [self._loop.create_future() for _ in commands]
        self._pending.extend(futures)
        try:
            self._proc.stdin.write(("\n".join(commands) + "\n").encode())
            await self._proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            await self.close()
            raise TmuxUnavailable(f"tmux server went away: {exc}") from None
        try:
            done = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), self.timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise TmuxUnavailable("tmux did not answer in time") from None
        if any(isinstance(r, TmuxUnavailable) for r in done):
            await self.close()
            raise TmuxUnavailable(self.last_error or "tmux server went away")
        return list(done)

    async def command(self, command: str) -> list[str]:
        result = (await self.commands([command]))[0]
        if isinstance(result, Exception):
            raise result
        return result

    async def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.terminate()
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(proc.wait(), 1.0)
            except asyncio.TimeoutError:
                proc.kill()
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
        self._reader = None


def quote(arg: str) -> str:
    """Quote one argument for tmux's command parser (single quotes; a quote inside is closed and escaped)."""
    return "'" + arg.replace("'", "'\\''") + "'"
