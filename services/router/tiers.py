"""Tiers as configured: names in order of capability, each with the models that can serve it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .settings import DEFAULT_TIERS


@dataclass(frozen=True)
class ModelRef:
    provider: str  # anthropic, openai, local
    model: str

    @classmethod
    def parse(cls, spec: str) -> "ModelRef":
        provider, _, model = spec.partition(":")
        return cls(provider, model)

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True)
class Tier:
    index: int
    name: str
    models: tuple[ModelRef, ...]


def load_tiers(router_section: Mapping[str, Any] | None) -> list[Tier]:
    raw = (router_section or {}).get("tiers") or DEFAULT_TIERS
    return [Tier(i, str(t["name"]), tuple(ModelRef.parse(m) for m in t["models"])) for i, t in enumerate(raw)]


def tier_by_name(tiers: list[Tier], name: str) -> Tier | None:
    return next((t for t in tiers if t.name == name), None)
