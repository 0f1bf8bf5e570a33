"""Simulated LLM calls: no network, but latency, token counts and failures shaped like a real provider's.

Latency is lognormal (most calls near the median, a long right tail), scaled per model so a "mini" model is
quick and a large one is slow. The wait is `asyncio.sleep`, so hundreds of calls in flight cost nothing.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slocheck_demo.service_metrics import ServiceMetrics


@dataclass(frozen=True)
class ModelProfile:
    provider: str
    model: str
    # Multiplies the configured median latency: 1.0 is the service's fast default model.
    latency_factor: float
    # Median completion length in tokens.
    completion_tokens: int


MODELS: dict[str, ModelProfile] = {
    profile.model: profile
    for profile in (
        ModelProfile("openai", "gpt-4o-mini", 1.0, 180),
        ModelProfile("openai", "gpt-4o", 2.5, 260),
        ModelProfile("anthropic", "claude-3-5-haiku", 1.2, 200),
        ModelProfile("anthropic", "claude-3-5-sonnet", 3.0, 320),
    )
}

# Weights of the failure kinds when a call is chosen to fail.
ERROR_TYPES: tuple[tuple[str, float], ...] = (("rate_limit", 0.4), ("server_error", 0.4), ("timeout", 0.2))


def resolve_model(name: str) -> ModelProfile | None:
    """`gpt-4o-mini` and `openai/gpt-4o-mini` both name the same model; unknown names give None."""
    provider, _, model = name.rpartition("/")
    profile = MODELS.get(model)
    if profile is None or (provider and provider != profile.provider):
        return None
    return profile


def model_names() -> list[str]:
    return [f"{profile.provider}/{profile.model}" for profile in MODELS.values()]


@dataclass(frozen=True)
class Completion:
    profile: ModelProfile
    text: str
    prompt_tokens: int
    completion_tokens: int
    duration_seconds: float


class LLMError(Exception):
    """The simulated provider failed the call; `error_type` is one of ERROR_TYPES."""

    def __init__(self, profile: ModelProfile, error_type: str, duration_seconds: float) -> None:
        super().__init__(f"{profile.provider}/{profile.model} failed: {error_type}")
        self.profile = profile
        self.error_type = error_type
        self.duration_seconds = duration_seconds


# Wraps every call (e.g. in a trace span): receives the model and the pending completion, returns its result.
Around = Callable[[ModelProfile, Awaitable[Completion]], Awaitable[Completion]]


class SimulatedLLM:
    def __init__(
        self,
        metrics: ServiceMetrics,
        rng: random.Random,
        *,
        median_seconds: float,
        sigma: float,
        error_rate: float,
    ) -> None:
        self.metrics = metrics
        self.rng = rng
        self.median_seconds = median_seconds
        self.sigma = sigma
        self.error_rate = error_rate
        self.around: Around | None = None

    def sample_latency(self, profile: ModelProfile) -> float:
        median = self.median_seconds * profile.latency_factor
        return median * math.exp(self.rng.gauss(0.0, self.sigma)) if median > 0 else 0.0

    def _prompt_tokens(self, prompt: str) -> int:
        # ~4 characters per token plus a system prompt and tool schemas of varying size.
        return max(1, len(prompt) // 4) + self.rng.randint(120, 480)

    def _completion_tokens(self, profile: ModelProfile) -> int:
        return max(1, round(profile.completion_tokens * math.exp(self.rng.gauss(0.0, 0.5))))

    async def complete(self, profile: ModelProfile, prompt: str) -> Completion:
        """Wait like a provider would, then answer or raise LLMError; every outcome is counted."""
        if self.around is not None:  # tracing (service_tracing) wraps the call in a span
            return await self.around(profile, self._complete(profile, prompt))
        return await self._complete(profile, prompt)

    async def _complete(self, profile: ModelProfile, prompt: str) -> Completion:
        started = time.perf_counter()
        latency = self.sample_latency(profile)
        error_type = self._pick_error()
        if error_type == "rate_limit":
            latency = min(latency, 0.02)  # providers reject over-quota calls before doing any work
        elif error_type == "timeout":
            latency *= 3
        await asyncio.sleep(latency)
        duration = time.perf_counter() - started
        if error_type is not None:
            self.metrics.observe_llm_error(profile.provider, profile.model, error_type, duration)
            raise LLMError(profile, error_type, duration)
        prompt_tokens, completion_tokens = self._prompt_tokens(prompt), self._completion_tokens(profile)
        self.metrics.observe_llm_success(profile.provider, profile.model, duration, prompt_tokens, completion_tokens)
        text = f"[{profile.model}] {completion_tokens}-token answer to: {prompt[:120]}"
        return Completion(profile, text, prompt_tokens, completion_tokens, duration)

    def _pick_error(self) -> str | None:
        if self.error_rate <= 0 or self.rng.random() >= self.error_rate:
            return None
        kinds = [kind for kind, _ in ERROR_TYPES]
        weights = [weight for _, weight in ERROR_TYPES]
        return self.rng.choices(kinds, weights=weights)[0]
