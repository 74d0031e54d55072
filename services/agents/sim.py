"""A simulated coding agent: a real terminal program that draws what Claude Code, Codex, gemini or aider draw.

    python -m fleetdeck.services.agents.sim --kind claude --scenario cycle
    python -m fleetdeck.services.agents.sim --kind codex --script "working:3,permission,idle" --record out.jsonl

Script steps: ``working:SECONDS`` (spinner), ``permission[:AUTO]`` (waits for 1/y/Enter = yes, 3/n/Esc = no;
with AUTO it answers yes by itself after AUTO seconds), ``idle[:AUTO]`` (waits for a prompt; a prompt makes it
work for --work seconds), ``usage-limit[:RESET_IN]`` (shows the limit and its reset time; prompts before the
reset only repeat the message), ``context:N``, ``crash[:AFTER]`` (exit 3), ``exit``. After the last step it
stays idle. ``/clear`` at the prompt resets the context to 100 %. With --record every prompt received (verbatim,
bracketed paste included), permission answer and /clear is appended as a JSON line. Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import time
from typing import Any

from .screens import View, render

SCENARIOS = {
    "cycle": "working:4,permission:6,working:3,idle:6,working:3,usage-limit:8,idle:1,working:3,idle:5,loop",
    "idle": "idle",
    "working": "working:1000000000",
    "permission": "working:1,permission",
    "usage-limit": "working:1,usage-limit",
    "crash": "working:1,crash",
    "low-context": "context:4,idle",
}
PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"


class Sim:
    def __init__(self, args: argparse.Namespace) -> None:
        self.kind = args.kind
        self.speed = max(0.01, args.speed)
        self.work_s = args.work
        self.record = args.record
        self.context = args.context_start
        self.steps = parse_script(args.script or SCENARIOS[args.scenario])
        self.pos = -1
        self.state = "idle"
        self.until: float | None = None  # when the current step ends by itself
        self.auto_yes = False
        self.started = time.monotonic()
        self.reset_at: float | None = None
        self.reset_text = ""
        self.typed = ""
        self.history: list[str] = []
        self.pending = b""
        self.paste: bytearray | None = None
        self.tick = 0
        self.dirty = True
        self.exit_code: int | None = None
        self.last_ctx_drop = time.monotonic()

    # -- script -------------------------------------------------------------------------------------------

    def next_step(self) -> None:
        self.pos += 1
        if self.pos >= len(self.steps):
            self.enter("idle", None)
            return
        name, arg = self.steps[self.pos]
        if name == "loop":
            self.pos = -1
            self.next_step()
        elif name == "working":
            self.enter("working", float(arg or 3) / self.speed)
        elif name == "permission":
            self.enter("permission", None if arg is None else float(arg) / self.speed)
        elif name == "idle":
            self.enter("idle", None if arg is None else float(arg) / self.speed)
        elif name == "usage-limit":
            reset_in = float(arg) if arg is not None else 120.0
            self.reset_at = time.time() + reset_in
            self.reset_text = time.strftime("%H:%M (UTC)", time.gmtime(self.reset_at + 59))
            self.enter("usage_limited", reset_in / self.speed if arg is not None else None)
        elif name == "context":
            self.context = int(arg or 100)
            self.next_step()
        elif name == "crash":
            self.enter("crashing", float(arg or 0) / self.speed)
        elif name == "exit":
            self.exit_code = 0
        else:
            raise SystemExit(f"unknown script step {name!r}")

    def enter(self, state: str, duration: float | None) -> None:
        self.state = state
        self.state_started = time.monotonic()
        self.until = None if duration is None else time.monotonic() + duration
        self.dirty = True

    def on_timer(self) -> None:
        if self.state == "crashing":
            self.crash()
        elif self.state == "permission":
            self.answer(True)
        elif self.state == "usage_limited":
            self.reset_at = None
            self.next_step()
        else:
            self.next_step()

    def crash(self) -> None:
        self.restore_terminal()
        sys.stdout.write("\r\n\x1b[31mError: simulated agent crashed (exit 3)\x1b[0m\r\n"
                         "Traceback (most recent call last):\r\n  RuntimeError: connection reset\r\n")
        sys.stdout.flush()
        self.exit_code = 3

    # -- input ----------------------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        buf = self.pending + data
        self.pending = b""
        while buf:
            if self.paste is not None:
                end = buf.find(PASTE_END)
                if end < 0:
                    keep = _partial_suffix(buf, PASTE_END)
                    self.paste += buf[: len(buf) - keep]
                    self.pending = buf[len(buf) - keep:]
                    return
                self.paste += buf[:end]
                text = self.paste.decode("utf-8", "replace")
                self.paste = None
                buf = buf[end + len(PASTE_END):]
                self.on_paste(text)
                continue
            if buf.startswith(PASTE_START):
                self.paste = bytearray()
                buf = buf[len(PASTE_START):]
                continue
            if buf[:1] == b"\x1b":
                if len(buf) < len(PASTE_START) and PASTE_START.startswith(buf):
                    self.pending = buf  # maybe the start of a paste, wait for more
                    return
                if buf[1:2] == b"[":  # another escape sequence (arrow keys): ignore it
                    i = 2
                    while i < len(buf) and not (0x40 <= buf[i] <= 0x7E):
                        i += 1
                    buf = buf[i + 1:]
                    continue
                buf = buf[1:]
                self.on_key("esc")
                continue
            ch = buf[:1]
            if not (ch[0] & 0x80):
                buf = buf[1:]
                self.on_key({b"\r": "enter", b"\n": "enter", b"\x7f": "backspace", b"\x08": "backspace",
                             b"\x03": "ctrl-c"}.get(ch, ch.decode("latin-1")))
                continue
            n = 2 if ch[0] >= 0xC0 else 1
            n = 3 if ch[0] >= 0xE0 else n
            n = 4 if ch[0] >= 0xF0 else n
            if len(buf) < n:
                self.pending = buf
                return
            self.on_key(buf[:n].decode("utf-8", "replace"))
            buf = buf[n:]

    def flush_pending(self) -> None:
        """Nothing more came: a lone ESC held back as a possible paste start was the Esc key."""
        if self.paste is None and self.pending and PASTE_START.startswith(self.pending):
            self.pending = b""
            self.on_key("esc")

    def on_paste(self, text: str) -> None:
        if self.state in ("idle", "usage_limited"):
            self.typed += text
            self.dirty = True

    def on_key(self, key: str) -> None:
        self.dirty = True
        if self.state == "permission":
            if key in ("1", "y", "Y", "enter"):
                self.answer(True)
            elif key in ("3", "n", "N", "esc"):
                self.answer(False)
            return
        if self.state == "working":
            if key in ("esc", "ctrl-c"):
                self.history.append("  ⎿  Interrupted by user")
                self.insert_wait()
            return
        if self.state not in ("idle", "usage_limited"):
            return
        if key == "enter":
            text, self.typed = self.typed, ""
            self.submit(text)
        elif key == "backspace":
            self.typed = self.typed[:-1]
        elif key == "ctrl-c":
            self.typed = ""
        elif len(key) == 1 and (key.isprintable() or key == "\t"):
            self.typed += key

    def insert_wait(self) -> None:
        self.steps.insert(self.pos + 1, ("idle", None))
        self.next_step()

    def answer(self, yes: bool) -> None:
        self.write_record({"type": "permission", "answer": "yes" if yes else "no"})
        self.history.append("  ⎿  Approved" if yes else "  ⎿  User rejected the command")
        if yes:
            self.steps.insert(self.pos + 1, ("working", str(self.work_s)))
        else:
            self.steps.insert(self.pos + 1, ("idle", None))
        self.next_step()

    def submit(self, text: str) -> None:
        if not text.strip():
            return
        if text.strip() == "/clear":
            self.context = 100
            self.history = ["⎿  (no content)"]
            self.write_record({"type": "clear"})
            self.dirty = True
            return
        if text.strip() in ("/exit", "/quit"):
            self.exit_code = 0
            return
        self.write_record({"type": "prompt", "text": text})
        first = text.splitlines()[0] if text.splitlines() else text
        self.history.append(f"> {first[:60]}")
        if self.reset_at is not None and time.time() < self.reset_at:
            self.state = "usage_limited"
            return
        self.reset_at = None
        self.steps.insert(self.pos + 1, ("working", str(self.work_s)))
        self.next_step()

    def write_record(self, entry: dict[str, Any]) -> None:
        if not self.record:
            return
        entry = {"at": time.time(), "kind": self.kind, "context": self.context, **entry}
        fd = os.open(self.record, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)

    # -- output ---------------------------------------------------------------------------------------------

    def draw(self) -> None:
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
            width, height = size.columns, size.lines
        except OSError:
            width, height = 100, 40
        state = "working" if self.state == "crashing" else self.state
        elapsed = int(time.monotonic() - getattr(self, "state_started", self.started))
        view = View(self.kind, state, width - 1, self.context, self.tick, elapsed, self.typed, self.reset_text,
                    history=self.history[-8:])
        lines, title = render(view)
        lines = [ln[: width] for ln in lines][-(height - 1):]
        out = "\x1b]2;" + title + "\x07\x1b[H\x1b[2J" + "\r\n".join(lines)
        sys.stdout.write(out)
        sys.stdout.flush()
        self.dirty = False

    def run(self) -> int:
        fd = sys.stdin.fileno()
        self.setup_terminal(fd)
        try:
            self.next_step()
            while self.exit_code is None:
                now = time.monotonic()
                if self.state == "working":
                    self.tick += 1
                    self.dirty = True
                    if now - self.last_ctx_drop >= 4.0 / self.speed:  # about one model turn
                        self.context = max(0, self.context - 2)
                        self.last_ctx_drop = now
                if self.dirty:
                    self.draw()
                timeout = 0.15
                if self.until is not None:
                    timeout = max(0.0, min(timeout, self.until - now))
                ready, _, _ = select.select([fd], [], [], timeout)
                if ready:
                    data = os.read(fd, 65536)
                    if not data:
                        break
                    self.feed(data)
                else:
                    self.flush_pending()
                if self.until is not None and time.monotonic() >= self.until and self.exit_code is None:
                    self.until = None
                    self.on_timer()
        finally:
            self.restore_terminal()
        return self.exit_code or 0

    def setup_terminal(self, fd: int) -> None:
        self._saved = None
        try:
            import termios
            import tty

            self._saved = (fd, termios.tcgetattr(fd))
            tty.setraw(fd)
        except Exception:  # noqa: BLE001 - not a terminal (piped input in a test): read it as it comes
            self._saved = None
        sys.stdout.write("\x1b[?2004h")  # bracketed paste on, like the real agents

    def restore_terminal(self) -> None:
        sys.stdout.write("\x1b[?2004l")
        sys.stdout.flush()
        if self._saved:
            import termios

            termios.tcsetattr(self._saved[0], termios.TCSADRAIN, self._saved[1])
            self._saved = None


def _partial_suffix(buf: bytes | bytearray, marker: bytes) -> int:
    """How many bytes at the end of buf could be the start of marker (so a split marker is not lost)."""
    for n in range(min(len(marker) - 1, len(buf)), 0, -1):
        if marker.startswith(bytes(buf[-n:])):
            return n
    return 0


def parse_script(text: str) -> list[tuple[str, str | None]]:
    steps: list[tuple[str, str | None]] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, arg = part.partition(":")
        steps.append((name.strip(), arg.strip() or None))
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fleetdeck-sim", description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("claude", "codex", "gemini", "aider"), default="claude")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="cycle")
    parser.add_argument("--script", help='steps, e.g. "working:3,permission,idle"')
    parser.add_argument("--record", help="append received prompts and answers to this JSON-lines file")
    parser.add_argument("--context-start", type=int, default=100)
    parser.add_argument("--speed", type=float, default=1.0, help="time factor (2 = twice as fast)")
    parser.add_argument("--work", type=float, default=2.0, help="seconds of work after a prompt")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    return Sim(args).run()


if __name__ == "__main__":
    sys.exit(main())
