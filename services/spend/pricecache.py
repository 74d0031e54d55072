"""genai-prices' answers kept on disk, so that pricing a known model does not import genai-prices.

Importing genai-prices (pydantic and httpx come with it) costs about a fifth of a second and 25 MB, which is
most of a small ingest's start-up and half of its peak memory, to answer the same few questions every run
(the rates of three or four model names). Its answers are derived from installed files, like bytecode, so they
are kept the way bytecode is: beside this module, in ``__pycache__/genai-prices.json``, shared by every user
of the installation, as ModelRates.as_json() (or null: no price known) under a key naming the installed files
(path, size and mtime of genai-prices' package and data modules and of pricing.py); an upgrade starts a new
cache. Where the installation is read-only the file goes to ``<state dir>/cache/``; ``FLEETDECK_PRICE_CACHE``
names another file (tests). Only genai-prices' answers are kept: config overrides and local models are priced
in place as before. A cache that cannot be read or written is ignored: pricing never fails because of it.
"""

from __future__ import annotations

import json
import os
from typing import Any

_MISSING = object()


def _install_key() -> str | None:
    """Names the installed genai-prices (and our pricing.py) without importing it; None when it is missing."""
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
    try:  # and the code that turns its answers into ModelRates: a change there invalidates them too
        st = os.stat(os.path.join(os.path.dirname(__file__), "pricing.py"))
    except OSError:
        return None
    parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    return f"{folder}|{'|'.join(parts)}"


class PriceCache:
    """One process's view of the cache file: read once, written back (whole, atomically) when it learns more."""

    def __init__(self, paths: list[str], key: str) -> None:
        self.paths = paths  # where to look, in order; written to the first that takes it
        self.key = key
        self.models: dict[str, Any] = {}
        for path in paths:
            try:
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("models"), dict):
                self.models = data["models"]
                break

    @classmethod
    def open(cls) -> PriceCache | None:
        key = _install_key()
        if key is None:
            return None
        chosen = os.environ.get("FLEETDECK_PRICE_CACHE")
        if chosen:
            return cls([chosen], key)
        from ..paths import resolve_paths

        beside = os.path.join(os.path.dirname(__file__), "__pycache__", "genai-prices.json")
        return cls([beside, str(resolve_paths().state_dir / "cache" / "genai-prices.json")], key)

    def get(self, model: str) -> Any:
        """The stored answer (a ModelRates.as_json() dict, or None for no price), or _MISSING."""
        return self.models.get(model, _MISSING)

    def put(self, model: str, answer: dict[str, Any] | None) -> None:
        self.models[model] = answer
        for path in self.paths:
            if _write(path, {"key": self.key, "models": self.models}):
                return


def _write(path: str, data: dict[str, Any]) -> bool:
    """Replace the file whole (readers see the old or the new one, never a part); False when it cannot."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


MISSING = _MISSING
