"""Signatures of stack traces: exception type + normalized in-app frames, never line numbers or paths.

Python tracebacks and Java-style stacks ("at a.b.C.m(File.java:12)") are recognised; anything else is a plain
message and goes to the template miner instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .masking import mask

_PY_START = "Traceback (most recent call last):"
_PY_FRAME = re.compile(r'^\s*File "([^"]+)", line \d+(?:, in (\S+))?')
_PY_EXC = re.compile(r"^([A-Za-z_][\w.]*)(?::\s?(.*))?$")
_LIBRARY = re.compile(r"(?:site-packages|dist-packages|/lib/python\d|\\lib\\python|<frozen |<string>|/usr/lib/)")
_JAVA_EXC = re.compile(r"^(?:Exception in thread \"[^\"]*\" |Caused by: )?([a-zA-Z_$][\w$]*(?:\.[\w$]+)+"
                       r"(?:Exception|Error|Throwable|Fault))(?::\s?(.*))?$")
_JAVA_FRAME = re.compile(r"^\s+at ([\w$.<>/]+)\(([^)]*)\)")
_JAVA_LIBRARY = ("java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "scala.", "org.junit.", "org.springframework.",
                 "org.apache.", "io.netty.", "reactor.")
MAX_FRAMES = 8


@dataclass(frozen=True)
class StackSignature:
    signature: str  # "py:ValueError|app/x:handler>app/y:parse"
    exc_type: str
    title: str  # "ValueError: invalid literal for int() with base <*>: <*>"
    stack: str  # normalized frames, one per line


def _module_of(path: str) -> str:
    """file path -> the file name without extension: stable across checkouts, temp dirs and machines."""
    name = re.split(r"[\\/]", path)[-1]
    return re.sub(r"\.py[cw]?$", "", name)


def has_stack(text: str) -> bool:
    return _PY_START in text or any(_JAVA_FRAME.match(line) for line in text.splitlines()[:50])


def python_signature(text: str) -> StackSignature | None:
    idx = text.rfind(_PY_START)  # chained exceptions: the last traceback is the one that escaped
    if idx < 0:
        return None
    lines = text[idx:].splitlines()[1:]
    frames: list[tuple[str, str, bool]] = []
    exc_type = exc_msg = None
    for line in lines:
        m = _PY_FRAME.match(line)
        if m:
            frames.append((_module_of(m.group(1)), m.group(2) or "?", not _LIBRARY.search(m.group(1))))
            continue
        if line[:1].isspace() or not line.strip():
            continue
        e = _PY_EXC.match(line.strip())
        if e:
            exc_type, exc_msg = e.group(1), e.group(2) or ""
            break
    if exc_type is None:
        return None
    in_app = [f for f in frames if f[2]] or frames[-1:]
    norm = [f"{mod}:{func}" for mod, func, _ in in_app][-MAX_FRAMES:]
    title = f"{exc_type}: {mask(exc_msg)}" if exc_msg else exc_type
    return StackSignature(f"py:{exc_type}|{'>'.join(norm)}", exc_type, title, "\n".join(norm))


def java_signature(text: str) -> StackSignature | None:
    exc_type = exc_msg = None
    frames: list[str] = []
    for line in text.splitlines():
        e = _JAVA_EXC.match(line.strip()) if not line[:1].isspace() else None
        if e and not line.strip().startswith("at "):
            if line.startswith("Caused by: ") or exc_type is None:
                exc_type, exc_msg, frames = e.group(1), e.group(2) or "", []  # the root cause wins
            continue
        f = _JAVA_FRAME.match(line)
        if f and exc_type is not None:
            frames.append(f.group(1))
    if exc_type is None or not frames:
        return None
    in_app = [f for f in frames if not f.startswith(_JAVA_LIBRARY)] or frames[:1]
    norm = in_app[:MAX_FRAMES]
    title = f"{exc_type}: {mask(exc_msg)}" if exc_msg else exc_type
    return StackSignature(f"java:{exc_type}|{'>'.join(norm)}", exc_type, title, "\n".join(norm))


def stack_signature(text: str) -> StackSignature | None:
    """The signature of the stack trace in ``text``, or None when it holds none."""
    if _PY_START in text:
        sig = python_signature(text)
        if sig:
            return sig
    return java_signature(text) if "at " in text else None
