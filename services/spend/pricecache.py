"""genai-prices' answers kept on disk, so that pricing a known model does not import genai-prices.

Importing genai-prices (pydantic and httpx come with it) costs about a fifth of a second and 25 MB, which is
most of a small ingest's start-up and half of its peak memory, to answer the same few questions every run
(the rates of three or four model names). Its answers are kept in ``<state dir>/cache/genai-prices.json`` as
ModelRates.as_json() (or null: no price known), under a key naming the installed genai-prices files (path,
size and mtime of its package and data modules); any other installation, an upgrade included, starts a new
cache. Only genai-prices' answers are kept: config overrides and local models are priced in place as before.
A cache that cannot be read or written is ignored (pricing never fails because of it).
"""

from __future__ import annotations

import json
import os
from typing import Any

_MISSING = object()


def _install_key() -> str | None:
    """Names the installed genai-prices without importing it; None when it is not installed."""
    from importlib.util import find_spec

    try:
        spec = find_spec("genai_prices")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    folder = os.path.dirname(spec.origin)
    parts = []
    for name in ("__init__.py", "data.py"):
        try:
            st = os.stat(os.path.join(folder, name))
        except OSError:
            return None
        parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    return f"{folder}|{'|'.join(parts)}"


class PriceCache:
    """One process's view of the cache file: read once, written back (whole, atomically) when it learns more."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key
        self.models: dict[str, Any] = {}
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("models"), dict):
                self.models = data["models"]
        except (OSError, ValueError):
            pass

    @classmethod
    def open(cls) -> PriceCache | None:
        key = _install_key()
        if key is None:
            return None
        from ..paths import resolve_paths

        return cls(str(resolve_paths().state_dir / "cache" / "genai-prices.json"), key)

    def get(self, model: str) -> Any:
        """The stored answer (a ModelRates.as_json() dict, or None for no price), or _MISSING."""
        return self.models.get(model, _MISSING)

    def put(self, model: str, answer: dict[str, Any] | None) -> None:
        self.models[model] = answer
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"key": self.key, "models": self.models}, f, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


MISSING = _MISSING
