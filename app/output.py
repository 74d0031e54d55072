"""Printing for the headless CLI: aligned tables, JSON, and colour only where wanted (NO_COLOR respected)."""

from __future__ import annotations

import os
import re  # (argparse has loaded it already)
import sys
from typing import Any, Iterable, Sequence, TextIO


def use_color(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def redraws(stream: TextIO | None = None) -> bool:
    """Whether a progress line may redraw itself in place (carriage return, erase to end of line): a terminal,
    and not one that says it cannot move the cursor (TERM=dumb: Emacs shells, some CI logs). NO_COLOR is about
    colour (no-color.org) and leaves this alone."""
    stream = stream or sys.stderr
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def print_json(data: Any, stream: TextIO | None = None) -> None:
    # sys.stdout is looked up per call: it can be replaced after import (pytest's capsys, redirection).
    stream = stream or sys.stdout
    import json  # here, not at the top: `status` prints a table through this module and never JSON (~4 ms)

    json.dump(data, stream, indent=2, default=str, ensure_ascii=False)
    stream.write("\n")


# Control characters other than newline and tab: text from logs, prompts and transcripts can hold colour codes
# or worse (a title-setting or screen-clearing sequence) that would act on the reader's terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with its control characters (but newline and tab) written out as \\x1b and the like."""
    if text.isprintable():  # the usual case, checked in C (it is also false for a newline or a tab)
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return visible(str(value).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))


def format_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], align: str | None = None) -> str:
    """A plain aligned table; ``align`` is one letter per column (l/r), numbers right-aligned by default."""
    body = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    if align is None:
        align = "".join(
            "r" if body and all(_is_number(r[i]) for r in body if r[i] != "-") and any(r[i] != "-" for r in body)
            else "l"
            for i in range(len(headers))
        )

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align)]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in body)
    return "\n".join(out)


def _is_number(text: str) -> bool:
    stripped = text.replace(",", "").replace("$", "").replace("%", "").replace(".", "", 1).lstrip("-+")
    return stripped.isdigit()


def print_table(rows: Iterable[Sequence[Any]], headers: Sequence[str], align: str | None = None,
                stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(format_table(list(rows), headers, align) + "\n")


def money(micros: int | None) -> str:
    """Integer micro-dollars as dollars for people; None (unknown price) as 'unknown'."""
    if micros is None:
        return "unknown"
    sign = "-" if micros < 0 else ""  # -$968, as people write it, not $-968
    dollars = abs(micros) / 1_000_000
    if dollars >= 100:
        return f"{sign}${dollars:,.0f}"
    if dollars >= 1:
        return f"{sign}${dollars:,.2f}"
    return f"{sign}${dollars:.4f}"
