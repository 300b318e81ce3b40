"""Provider usage is believed only within bounds: a negative count, or one far past what the model
can read or write, would raise in Prometheus, overflow the event's columns and wedge the recorder,
or bill a tenant for tokens nobody sent. Such a count is replaced by the gateway's own estimate
for the call (what admission reserved), and the replacement is recorded on the event, so the
call is still settled and billed once and the anomaly can be found."""

from __future__ import annotations

from dataclasses import dataclass, replace

from providers.types import Usage

# The usage columns are PostgreSQL integers.
COLUMN_MAX = 2_147_483_647
# How far past the model's window (or the estimate, for a batch of inputs) a count may go before
# it is disbelieved: tokenizers differ, but not by this much.
SLACK = 4


@dataclass(frozen=True)
class CheckedUsage:
    usage: Usage
    anomaly: str = ""  # what the provider said that was not believed ("" when all was)


def _count(value: object, ceiling: int, fallback: int, name: str, notes: list[str]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= ceiling:
        return value
    replacement = min(max(fallback, 0), ceiling)
    notes.append(f"{name}={value!r} (at most {ceiling} believed): charged {replacement}")
    return replacement


def _part(value: object, room: int, name: str, notes: list[str]) -> int:
    """A count that is part of another (cached of prompt, reasoning of completion)."""
    return _count(value, room, 0, name, notes)


def checked_usage(
    reported: Usage, *, estimate: Usage, context_window: int, max_output_tokens: int
) -> CheckedUsage:
    """`reported` with every count that cannot be true replaced: the prompt by the estimate's
    prompt, the completion by the estimate's (the `max_tokens` reserved), the parts of each
    (cached, cache-write, reasoning) by zero."""
    notes: list[str] = []
    prompt_ceiling = min(COLUMN_MAX, SLACK * max(context_window, estimate.prompt_tokens, 1))
    output_ceiling = min(COLUMN_MAX, SLACK * max(max_output_tokens, estimate.completion_tokens, 1))
    prompt = _count(
        reported.prompt_tokens, prompt_ceiling, estimate.prompt_tokens, "prompt_tokens", notes
    )
    completion = _count(
        reported.completion_tokens, output_ceiling, estimate.completion_tokens,
        "completion_tokens", notes,
    )  # fmt: skip
    cached = _part(reported.cached_tokens, prompt, "cached_tokens", notes)
    written = _part(reported.cache_write_tokens, prompt - cached, "cache_write_tokens", notes)
    reasoning = _part(reported.reasoning_tokens, completion, "reasoning_tokens", notes)
    if not notes:
        return CheckedUsage(reported)
    usage = replace(
        reported, prompt_tokens=prompt, completion_tokens=completion, cached_tokens=cached,
        cache_write_tokens=written, reasoning_tokens=reasoning,
    )  # fmt: skip
    return CheckedUsage(usage, ("provider reported " + "; ".join(notes))[:300])
