"""The router: pick the cheapest tier that can do a task, call it, fall back upward, learn from outcomes.

Every decision, attempt and verdict is stored (0009_router.sql); every real call is logged as spend under the
workflow with source "router", so the spend report's baseline column shows what the router saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from loguru import logger

from ..errors import DataError, UnavailableError
from . import records
from .classify import LEVELS, classify, level_to_index
from .providers import AttemptFailed, call_model
from .tiers import ModelRef, Tier, load_tiers

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store

EST_OUTPUT_TOKENS = 500  # a typical answer, for the estimate shown before any call is made
VERDICTS = ("good", "bad")


@dataclass
class Attempt:
    tier: str
    model: str
    outcome: str
    error: str | None = None
    latency_ms: int | None = None
    cost_micros: int | None = None
    baseline_cost_micros: int | None = None


@dataclass
class Completion:
    text: str
    tier: str
    model: str
    decision_id: int
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def cost_micros(self) -> int:
        return sum(a.cost_micros or 0 for a in self.attempts)

    @property
    def baseline_cost_micros(self) -> int:
        return sum(a.baseline_cost_micros or 0 for a in self.attempts if a.outcome == "ok")


def spend_model_name(ref: ModelRef) -> str:
    """The model name recorded as spend; local models get a ``local/`` prefix so they price at $0."""
    return f"local/{ref.model}" if ref.provider == "local" else ref.model


class Router:
    def __init__(self, store: "Store", config: "Config | None" = None, clock: Any = None) -> None:
        import time

        self.store = store
        self.config = config
        self.cfg: dict[str, Any] = config.section("router") if config is not None else {}
        self.tiers: list[Tier] = load_tiers(self.cfg)
        self.now: Callable[[], float] = clock.now if clock is not None else time.time

    # -- deciding -------------------------------------------------------------------------------------------

    def _pricer(self) -> Any:
        from ..spend import pricer_for

        return pricer_for(self.config)

    def estimate(self, ref: ModelRef, text: str) -> int | None:
        input_tokens = max(1, len(text) // 4)
        return self._pricer().price(spend_model_name(ref), input_tokens, EST_OUTPUT_TOKENS)

    def _base_index(self, text: str) -> tuple[int, Any]:
        c = classify(text, difficulty_bump=float(self.cfg.get("difficulty_bump", 0.45)))
        return level_to_index(c.level, len(self.tiers)), c

    def route(self, text: str, workflow: str | None = None) -> dict[str, Any]:
        """Choose a tier for ``text`` and record the decision; returns {tier, model, est_cost_usd, reasons, ...}."""
        if not isinstance(text, str) or not text.strip():
            raise DataError("empty task: give the text of the task to route")
        if workflow is not None:
            from ..workflows import check_workflow

            check_workflow(workflow)
        index, c = self._base_index(text)
        reasons = list(c.reasons)
        learned = records.get_learned(self.store, c.task_type)
        if learned.min_tier > index:
            index = min(learned.min_tier, len(self.tiers) - 1)
            reasons.append(f"learned: {c.task_type} tasks need at least {self.tiers[index].name}"
                           f" ({learned.note or 'from feedback'})")
        tier = self.tiers[index]
        ref = tier.models[0]
        est = self.estimate(ref, text)
        decision_id = records.insert_decision(
            self.store, at=int(self.now()), task=text, task_type=c.task_type, workflow=workflow, tier=tier.name,
            model=str(ref), est_cost_micros=est, difficulty=round(c.difficulty, 4), reasons=reasons)
        return {"tier": tier.name, "model": str(ref), "est_cost_usd": None if est is None else est / 1e6,
                "reasons": reasons, "decision_id": decision_id, "task_type": c.task_type,
                "difficulty": round(c.difficulty, 3), "tier_index": index}

    # -- calling ----------------------------------------------------------------------------------------------

    def complete(self, task: str, messages: list[dict[str, Any]] | None = None, workflow: str | None = None,
                 validate: Callable[[str], bool] | None = None) -> Completion:
        """Route ``task``, call the model, and fall back one tier up on any failure until one answers."""
        decision = self.route(task, workflow)
        messages = messages or [{"role": "user", "content": task}]
        attempts: list[Attempt] = []
        for tier in self.tiers[decision["tier_index"]:]:
            reached = False
            for ref in tier.models:
                attempt, answer = self._attempt(decision, tier, ref, messages, workflow, validate)
                attempts.append(attempt)
                if attempt.outcome == "unavailable":
                    logger.warning("router: {} on tier {} unavailable: {}", ref, tier.name, attempt.error)
                    continue
                reached = True
                self._auto_feedback(decision, tier, attempt.outcome == "ok")
                if answer is not None and attempt.outcome == "ok":
                    records.finish_decision(self.store, decision["decision_id"], outcome="ok", final_tier=tier.name)
                    return Completion(answer, tier.name, str(ref), decision["decision_id"], attempts)
                break  # a real failure: the next tier up gets the task
            if not reached:
                logger.warning("router: tier {} skipped, no reachable model", tier.name)
        records.finish_decision(self.store, decision["decision_id"], outcome="failed", final_tier=None)
        tried = "; ".join(f"{a.tier}/{a.model}: {a.outcome}" for a in attempts)
        raise UnavailableError(f"no tier left to answer (decision {decision['decision_id']}): {tried}")

    def _attempt(self, decision: dict[str, Any], tier: Tier, ref: ModelRef, messages: list[dict[str, Any]],
                 workflow: str | None, validate: Callable[[str], bool] | None) -> tuple[Attempt, str | None]:
        from ..spend import log_api_call

        at = int(self.now())
        answer = None
        tokens = (0, 0, 0, 0)
        latency = None
        request_id = None
        try:
            result = call_model(ref, messages, self.cfg)
            tokens = (result.input_tokens, result.output_tokens, result.cache_read_tokens, result.cache_write_tokens)
            latency, request_id = result.latency_ms, result.request_id
            outcome, error = "ok", None
            if validate is not None and not _passes(validate, result.text):
                outcome, error = "invalid", "the answer failed validation"
            else:
                answer = result.text
        except AttemptFailed as exc:
            outcome, error, latency = exc.kind, str(exc), exc.latency_ms
        cost = baseline = api_call_id = None
        if outcome != "unavailable":
            logged = log_api_call(
                model=spend_model_name(ref), workflow=workflow, input_tokens=tokens[0], output_tokens=tokens[1],
                cache_read_tokens=tokens[2], cache_write_tokens=tokens[3], latency_ms=latency,
                status="ok" if outcome in ("ok", "invalid") else "error", error=error, source="router", at=at,
                store=self.store, config=self.config, request_id=request_id)
            cost, baseline, api_call_id = logged.cost_micros, logged.baseline_cost_micros, logged.id
        records.insert_attempt(self.store, decision_id=decision["decision_id"], at=at, tier=tier.name,
                               model=str(ref), outcome=outcome, error=error, latency_ms=latency,
                               api_call_id=api_call_id, cost_micros=cost, baseline_cost_micros=baseline)
        return Attempt(tier.name, str(ref), outcome, error, latency, cost, baseline), answer

    # -- learning ---------------------------------------------------------------------------------------------

    def _auto_feedback(self, decision: dict[str, Any], tier: Tier, good: bool) -> None:
        self._learn(decision["decision_id"], decision["task_type"], tier, "good" if good else "bad", "fallback")

    def _learn(self, decision_id: int | None, task_type: str, tier: Tier, verdict: str, source: str) -> records.Learned:
        text = ""
        if decision_id is not None:
            row = records.get_decision(self.store, decision_id)
            text = row["task"] if row else ""
        base = self._base_index(text)[0] if text else 0
        return records.record_feedback(
            self.store, decision_id=decision_id, at=int(self.now()), task_type=task_type, tier_name=tier.name,
            tier_index=tier.index, verdict=verdict, source=source, n_tiers=len(self.tiers),
            raise_after=int(self.cfg.get("raise_after_failures", 3)),
            lower_after=int(self.cfg.get("lower_after_successes", 10)), base_index=base)

    def feedback(self, decision_id: int, verdict: str) -> dict[str, Any]:
        """A person's verdict on a decision's answer (good|bad); returns what the router now believes."""
        if verdict not in VERDICTS:
            raise DataError(f"verdict {verdict!r}: use good or bad")
        row = records.get_decision(self.store, int(decision_id))
        if row is None:
            raise DataError(f"no routing decision {decision_id}")
        tier = next((t for t in self.tiers if t.name == (row["final_tier"] or row["tier"])), self.tiers[0])
        learned = self._learn(row["id"], row["task_type"], tier, verdict, "user")
        return {"decision_id": row["id"], "task_type": row["task_type"], "tier": tier.name, "verdict": verdict,
                "min_tier": self.tiers[min(learned.min_tier, len(self.tiers) - 1)].name,
                "failures": learned.failures, "successes": learned.successes}

    def stats(self, since: int | None = None) -> dict[str, Any]:
        data = records.stats(self.store, since)
        for row in data["learned"]:
            row["min_tier_name"] = self.tiers[min(row["min_tier"], len(self.tiers) - 1)].name
        data["tiers"] = [{"name": t.name, "models": [str(m) for m in t.models]} for t in self.tiers]
        return data


def _passes(validate: Callable[[str], bool], text: str) -> bool:
    try:
        return bool(validate(text))
    except Exception as exc:  # noqa: BLE001 - a validator that crashes has rejected the answer
        logger.warning("router: validator raised {}: {}", type(exc).__name__, exc)
        return False


__all__ = ["Attempt", "Completion", "LEVELS", "Router"]
