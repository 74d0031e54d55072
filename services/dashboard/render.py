"""Write the dashboard file: data embedded as JSON in the page, written atomically and owner-only."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import dashboard_data
from .template import PAGE

if TYPE_CHECKING:
    from ..store import Store


def render_html(data: dict[str, Any]) -> str:
    # "</" would end the script element early; "<\/" is the same string to JSON.parse.
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    return PAGE.replace("__DATA__", payload)


def write_dashboard(store: "Store", out: Path, *, days: int, now: float, tz: str) -> dict[str, Any]:
    data = dashboard_data(store, days=days, now=now, tz=tz)
    html = render_html(data)
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = out.with_name(out.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(html)
    os.replace(tmp, out)
    return {"path": str(out), "bytes": len(html.encode("utf-8")), "days": len(data["days"]),
            "calls": data["totals"]["calls"], "cost_cents": data["totals"]["cost"]}
