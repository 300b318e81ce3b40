"""Rate limits per tenant and per tenant x model, requests and tokens per minute, counted in Redis:
one count for every web process of every replica, checked and taken in one atomic script.

Tokens are taken for the worst case before a call (the prompt's estimate plus `max_tokens`) and
settled to what the call really used afterwards, so a burst cannot slip past a token limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from django.conf import settings

from kernel.errors import DomainError
from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from models_catalog.models import ModelGrant
from tenants.models import Tenant

WINDOW_SECONDS = 60

# KEYS: counters. ARGV: window ttl, then (limit, amount) per key. All or nothing.
TAKE = """
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local amount = tonumber(ARGV[2 * i + 1])
  if limit > 0 and (tonumber(redis.call('GET', key) or '0') + amount) > limit then
    return i
  end
end
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, ARGV[2 * i + 1])
  redis.call('EXPIRE', key, ARGV[1])
end
return 0
"""


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limit_exceeded"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int
    amount: int
    description: str


@dataclass
class Reservation:
    """Tokens taken for the worst case; `settle` gives back what the call did not use."""

    token_keys: tuple[str, ...]
    reserved_tokens: int
    settled: bool = False

    def settle(self, used_tokens: int, pipe: redis.client.Pipeline) -> None:
        """Queue the correction on `pipe` (the caller executes it with the usage event)."""
        if self.settled or not self.token_keys:
            return
        self.settled = True
        delta = used_tokens - self.reserved_tokens
        if delta:
            for key in self.token_keys:
                pipe.incrby(key, delta)


def estimate_prompt_tokens(texts: list[str]) -> int:
    """A generous estimate, for reserving: a token rarely spans fewer than 3 characters of
    ASCII text, but a tokenizer may spend a token on each byte of other scripts (Chinese,
    Arabic, emoji), so every UTF-8 byte beyond a character's first counts as a token too."""
    characters = sum(len(text) for text in texts)
    extra_bytes = sum(len(text.encode()) - len(text) for text in texts if not text.isascii())
    return characters // 3 + extra_bytes + 8 * len(texts)


def take(
    *, tenant: Tenant, grant: ModelGrant, model_name: str, tokens: int, now: float | None = None
) -> Reservation:
    """Count one request and `tokens` against every limit that applies, or refuse with 429."""
    window = int((now or time.time()) // WINDOW_SECONDS)
    tenant_rpm = _limit(tenant.requests_per_minute, settings.ATRIUM_DEFAULT_REQUESTS_PER_MINUTE)
    tenant_tpm = _limit(tenant.tokens_per_minute, settings.ATRIUM_DEFAULT_TOKENS_PER_MINUTE)
    base = tenant_key(tenant.pk, "rl", window)
    counters = [
        Counter(f"{base}:req", tenant_rpm, 1, f"{tenant_rpm} requests per minute"),
        Counter(f"{base}:tok", tenant_tpm, tokens, f"{tenant_tpm} tokens per minute"),
    ]
    model_base = f"{base}:m{grant.model_id}"
    if grant.requests_per_minute:
        rpm = grant.requests_per_minute
        counters.append(Counter(f"{model_base}:req", rpm, 1, f"{rpm} requests/min to {model_name}"))
    if grant.tokens_per_minute:
        tpm = grant.tokens_per_minute
        counters.append(
            Counter(f"{model_base}:tok", tpm, tokens, f"{tpm} tokens/min to {model_name}")
        )
    arguments: list[int] = [WINDOW_SECONDS * 2]
    for counter in counters:
        arguments += [counter.limit, counter.amount]
    client = shared_redis()
    refused = int(client.eval(TAKE, len(counters), *[c.key for c in counters], *arguments))
    if refused:
        counter = counters[refused - 1]
        retry_after = max(1, WINDOW_SECONDS - int((now or time.time()) % WINDOW_SECONDS))
        if counter.amount > counter.limit:
            raise RateLimited(
                f"This call could use {counter.amount} tokens, more than {tenant.name}'s limit "
                f"of {counter.description}: lower max_tokens.",
                retry_after=retry_after,
            )
        raise RateLimited(
            f"Rate limit reached: {tenant.name} may make {counter.description}. "
            f"Retry in {retry_after} s.",
            retry_after=retry_after,
        )
    token_keys = tuple(c.key for c in counters if c.key.endswith(":tok"))
    return Reservation(token_keys=token_keys, reserved_tokens=tokens)


def _limit(value: int | None, default: int) -> int:
    return default if value is None else value
