"""Model aliases and prices: genai-prices for the catalogue, config for overrides, $0 for local models.

Money is integer micro-dollars. A price of $X per million tokens is exactly X micro-dollars per token, so a
call's cost is a weighted sum of its token counts. genai-prices' own calculator takes ~100-250 µs per call, so
each model's rates are looked up once and kept (bulk ingest prices hundreds of thousands of calls).

Token counts here are *uncached* input, output, cache reads and cache writes; genai-prices counts input
including cached tokens, and its tiers (e.g. >200k context) are chosen by that total, which is what
``_rate`` reproduces.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .aliases import BUILTIN_ALIASES, DEFAULT_BASELINE, alias_table, resolve_alias  # noqa: F401 - re-exported

DEFAULT_LOCAL = ("ollama/*", "local/*", "lmstudio/*", "llama*", "qwen*", "mistral*", "deepseek-coder*",
                 "codellama*", "phi*", "gemma*")


@dataclass(frozen=True)
class Tiered:
    """Rate in micro-dollars per token, switching to a tier's rate when total input passes its start."""

    base: float
    tiers: tuple[tuple[int, float], ...] = ()

    def at(self, total_input: int) -> float:
        if not self.tiers:
            return self.base
        for start, price in reversed(self.tiers):
            if total_input > start:
                return price
        return self.base


ZERO = Tiered(0.0)


NOT_BILLED = "synthetic (not billed)"  # the price source of messages no API call made


@dataclass(frozen=True)
class ModelRates:
    model: str  # the id the price belongs to (genai-prices' canonical id, or the configured name)
    provider: str
    source: str  # "genai-prices <version>", "config", "local"
    input: Tiered
    output: Tiered
    cache_read: Tiered
    cache_write: Tiered

    @property
    def billed(self) -> bool:
        """False for messages no API call made (Claude Code's ``<synthetic>``): they cost nothing and save
        nothing against the baseline, unlike a local model's call, which saves what the baseline would cost."""
        return self.source != NOT_BILLED

    def cost_micros(self, input_tokens: int, output_tokens: int, cache_read: int = 0, cache_write: int = 0) -> int:
        # The four rates are chosen once per call from the precomputed steps (bulk ingest prices every row);
        # that is the same choice as each Tiered.at(total input) would make.
        total_in = input_tokens + cache_read + cache_write
        rates = self._base_rates
        for start, step_rates in self._steps:
            if total_in > start:
                rates = step_rates
                break
        cost = input_tokens * rates[0] + output_tokens * rates[1] + cache_read * rates[2] + cache_write * rates[3]
        return int(round(cost))

    @cached_property
    def _base_rates(self) -> tuple[float, ...]:
        return tuple(p.base for p in (self.input, self.output, self.cache_read, self.cache_write))

    @cached_property
    def _steps(self) -> tuple[tuple[int, tuple[float, ...]], ...]:
        """(start, the four rates when total input > start), highest start first. Between two tier starts
        every Tiered.at gives one value, so the rates at start + 1 hold up to the next start."""
        parts = (self.input, self.output, self.cache_read, self.cache_write)
        starts = sorted({start for p in parts for start, _ in p.tiers}, reverse=True)
        return tuple((start, tuple(p.at(start + 1) for p in parts)) for start in starts)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelRates:
        """The inverse of as_json."""
        def one(d: dict[str, Any]) -> Tiered:
            return Tiered(float(d["per_mtok"]), tuple((int(t["above_input_tokens"]), float(t["per_mtok"]))
                                                      for t in d["tiers"]))

        return cls(str(data["model"]), str(data["provider"]), str(data["source"]), one(data["input"]),
                   one(data["output"]), one(data["cache_read"]), one(data["cache_write"]))

    def as_json(self) -> dict[str, Any]:
        def one(t: Tiered) -> dict[str, Any]:
            return {"per_mtok": t.base, "tiers": [{"above_input_tokens": s, "per_mtok": p} for s, p in t.tiers]}

        return {"model": self.model, "provider": self.provider, "source": self.source,
                "input": one(self.input), "output": one(self.output),
                "cache_read": one(self.cache_read), "cache_write": one(self.cache_write)}


def _tiered(value: Any) -> Tiered | None:
    if value is None:
        return None
    base = getattr(value, "base", value)
    tiers = tuple((int(t.start), float(t.price)) for t in getattr(value, "tiers", ()) or ())
    return Tiered(float(base), tiers)


def _provider_guess(model: str) -> str:
    lowered = model.lower()
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith(("gpt", "o1", "o3", "o4", "codex", "chatgpt")):
        return "openai"
    if lowered.startswith("gemini"):
        return "google"
    return "unknown"


class Pricer:
    """Resolves aliases and prices calls; built from the [spend] config section (or defaults)."""

    def __init__(self, spend: Mapping[str, Any] | None = None) -> None:
        spend = dict(spend or {})
        self.aliases = alias_table(spend)
        self.local_patterns = tuple(p.lower() for p in (spend.get("local_models") or DEFAULT_LOCAL))
        self.overrides = {k: dict(v) for k, v in (spend.get("prices") or {}).items()}
        self.baseline_model = self.resolve(str(spend.get("baseline_model") or DEFAULT_BASELINE))
        self._cache: dict[str, ModelRates | None] = {}
        self._price_cache: Any = None  # a PriceCache, False when there is none, None until first needed
        self._lock = threading.Lock()

    # -- names -------------------------------------------------------------------------------------------

    def resolve(self, model: str) -> str:
        """The full model id for an alias (case-insensitive); other names pass through unchanged."""
        return resolve_alias(self.aliases, model)

    def is_local(self, model: str) -> bool:
        lowered = model.lower()
        return any(fnmatch.fnmatchcase(lowered, p) for p in self.local_patterns)

    def provider(self, model: str) -> str:
        rates = self.rates(model)
        if rates is not None:
            return rates.provider
        return _provider_guess(model)

    # -- prices ------------------------------------------------------------------------------------------

    def rates(self, model: str) -> ModelRates | None:
        """Per-token rates for a resolved model id, or None when no price is known."""
        try:
            return self._cache[model]
        except KeyError:
            pass
        found = self._lookup(model)
        with self._lock:
            self._cache[model] = found
        if found is None:
            _warn_unknown(model)
        return found

    def _lookup(self, model: str) -> ModelRates | None:
        override = self.overrides.get(model)
        if override is not None:
            inp = float(override.get("input", 0.0))
            return ModelRates(model, _provider_guess(model), "config", Tiered(inp),
                              Tiered(float(override.get("output", 0.0))),
                              Tiered(float(override.get("cache_read", inp))),
                              Tiered(float(override.get("cache_write", inp))))
        if self.is_local(model):
            return ModelRates(model, "local", "local", ZERO, ZERO, ZERO, ZERO)
        if model == "<synthetic>":  # Claude Code's own placeholder messages: no API call was billed
            return ModelRates(model, "anthropic", NOT_BILLED, ZERO, ZERO, ZERO, ZERO)
        return self._genai_rates_cached(model)

    def _genai_rates_cached(self, model: str) -> ModelRates | None:
        """genai-prices' answer, from the on-disk cache when it has one (see pricecache.py)."""
        from .pricecache import MISSING, PriceCache

        if self._price_cache is None:
            self._price_cache = PriceCache.open() or False
        cache = self._price_cache
        if cache:
            known = cache.get(model)
            if known is not MISSING:
                return None if known is None else ModelRates.from_json(known)
        found = _genai_rates(model)
        if cache:
            cache.put(model, None if found is None else found.as_json())
        return found

    def price(self, model: str, input_tokens: int, output_tokens: int, cache_read: int = 0,
              cache_write: int = 0) -> int | None:
        rates = self.rates(model)
        if rates is None:
            return None
        return rates.cost_micros(input_tokens, output_tokens, cache_read, cache_write)

    def baseline(self, input_tokens: int, output_tokens: int, cache_read: int = 0, cache_write: int = 0) -> int | None:
        return self.price(self.baseline_model, input_tokens, output_tokens, cache_read, cache_write)


def _warn_unknown(model: str) -> None:
    """Say once per process that a model has no price (its calls are stored with cost unknown)."""
    try:
        from loguru import logger

        logger.warning(f"spend: no known price for model {model!r}; its calls are stored with cost unknown "
                       "(add it under [spend] prices)")
    except Exception:  # noqa: BLE001 - a warning must never stop recording
        pass


def _genai_rates(model: str) -> ModelRates | None:
    from genai_prices import Usage, __version__, calc_price

    try:
        calc = calc_price(Usage(input_tokens=1, output_tokens=1), model_ref=model)
    except (LookupError, ValueError):
        return None
    mp = calc.model_price
    inp = _tiered(mp.input_mtok) or ZERO
    return ModelRates(
        model=calc.model.id,
        provider=calc.provider.id,
        source=f"genai-prices {__version__}",
        input=inp,
        output=_tiered(mp.output_mtok) or ZERO,
        # A provider without a separate cache price charges cached tokens as input.
        cache_read=_tiered(mp.cache_read_mtok) or inp,
        cache_write=_tiered(mp.cache_write_mtok) or inp,
    )


_default: Pricer | None = None


def default_pricer() -> Pricer:
    """A Pricer for the user's config (loaded once per process)."""
    global _default
    if _default is None:
        try:
            from ..config import load_config

            spend = load_config().section("spend")
        except Exception:  # noqa: BLE001 - a broken config must not stop logging; defaults still price
            spend = {}
        _default = Pricer(spend)
    return _default


def pricer_for(config: Any | None) -> Pricer:
    if config is None:
        return default_pricer()
    cached = getattr(config, "_spend_pricer", None)
    if cached is None:
        cached = Pricer(config.section("spend"))
        try:
            object.__setattr__(config, "_spend_pricer", cached)
        except (AttributeError, TypeError):
            pass
    return cached


def resolve_model(model: str, config: Any | None = None) -> str:
    return pricer_for(config).resolve(model)


def price_call(model: str, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0,
               cache_write_tokens: int = 0, *, config: Any | None = None) -> int | None:
    """Micro-dollars for one call (aliases resolved), or None when the model has no known price."""
    pricer = pricer_for(config)
    return pricer.price(pricer.resolve(model), input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)


def baseline_cost(input_tokens: int, output_tokens: int, cache_read_tokens: int = 0, cache_write_tokens: int = 0,
                  *, config: Any | None = None) -> int | None:
    """What the same tokens would cost on the configured baseline model (default Sonnet)."""
    return pricer_for(config).baseline(input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
