"""Rate limits per tenant and per tenant x model, requests and tokens per minute, counted in Redis:
one count for every web process of every replica, checked and taken in one atomic script.

The minute is a sliding one: every call is logged with the time Redis took it, and a limit of N
holds in every 60 seconds, not per calendar minute (where N calls at 12:00:59 and N more at
12:01:00 would both pass). Each counter is a sorted set of the calls in the window, with their
amounts in the member, and the amounts' running total beside it: calls leaving the window are
subtracted once, so a check costs the same however many calls the window holds.

Tokens are taken for the worst case before a call (the prompt's estimate plus `max_tokens`) and
settled to what the call really used afterwards, so a burst cannot slip past a token limit.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import redis
from django.conf import settings

from kernel.errors import DomainError
from kernel.redis_client import run_script
from kernel.redis_keys import tenant_key
from models_catalog.models import ModelGrant
from tenants.models import Tenant

WINDOW_SECONDS = 60

# KEYS: per counter, its calls (a sorted set of "<call>:<amount>" by time in ms) and their total.
# ARGV: now in ms (empty: Redis's own clock, one for every replica), the window in ms, the call's
# id, then (limit, amount) per counter. All or nothing. Answers {0, 0} when taken, else
# {the refusing counter's number, ms until the call would fit (0: it never fits)}.
TAKE = """
local now = tonumber(ARGV[1])
if not now then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end
local window = tonumber(ARGV[2])
local function amount_of(member)
  return tonumber(string.match(member, ':(%-?%d+)$'))
end
local totals = {}
for i = 1, #KEYS / 2 do
  local calls, total = KEYS[2 * i - 1], KEYS[2 * i]
  local left = redis.call('ZRANGEBYSCORE', calls, '-inf', now - window)
  if #left > 0 then
    local freed = 0
    for _, member in ipairs(left) do freed = freed + amount_of(member) end
    redis.call('ZREMRANGEBYSCORE', calls, '-inf', now - window)
    redis.call('DECRBY', total, freed)
  end
  totals[i] = tonumber(redis.call('GET', total) or '0')
end
for i = 1, #KEYS / 2 do
  local limit = tonumber(ARGV[2 + 2 * i])
  local amount = tonumber(ARGV[3 + 2 * i])
  local excess = totals[i] + amount - limit
  if excess > 0 then
    if amount > limit then return {i, 0} end
    local logged = redis.call('ZRANGE', KEYS[2 * i - 1], 0, -1, 'WITHSCORES')
    local freed = 0
    for j = 1, #logged, 2 do
      freed = freed + amount_of(logged[j])
      if freed >= excess then return {i, tonumber(logged[j + 1]) + window - now} end
    end
    return {i, window}
  end
end
for i = 1, #KEYS / 2 do
  local amount = ARGV[3 + 2 * i]
  redis.call('ZADD', KEYS[2 * i - 1], now, ARGV[3] .. ':' .. amount)
  redis.call('INCRBY', KEYS[2 * i], amount)
  redis.call('PEXPIRE', KEYS[2 * i - 1], window * 2)
  redis.call('PEXPIRE', KEYS[2 * i], window * 2)
end
return {0, 0}
"""

# KEYS: per token counter, its calls and their total. ARGV: the member as taken, as settled, and
# the difference. A call that has already left the window counts nowhere any more: nothing to do.
SETTLE = """
for i = 1, #KEYS / 2 do
  local score = redis.call('ZSCORE', KEYS[2 * i - 1], ARGV[1])
  if score then
    redis.call('ZREM', KEYS[2 * i - 1], ARGV[1])
    redis.call('ZADD', KEYS[2 * i - 1], score, ARGV[2])
    redis.call('INCRBY', KEYS[2 * i], ARGV[3])
  end
end
"""


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limit_exceeded"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Counter:
    key: str  # its calls; their total is at `<key>:total`
    limit: int
    amount: int
    description: str


@dataclass
class Reservation:
    """Tokens taken for the worst case; `settle` gives back what the call did not use."""

    token_keys: tuple[str, ...]
    reserved_tokens: int
    call: str = ""  # the call's id in the counters' logs
    settled: bool = False

    def settle(self, used_tokens: int, pipe: redis.client.Pipeline) -> None:
        """Queue the correction on `pipe` (the caller executes it with the usage event)."""
        if self.settled or not self.token_keys:
            return
        self.settled = True
        delta = used_tokens - self.reserved_tokens
        if delta:
            keys = [key for counter in self.token_keys for key in (counter, f"{counter}:total")]
            pipe.eval(SETTLE, len(keys), *keys, f"{self.call}:{self.reserved_tokens}",
                      f"{self.call}:{used_tokens}", delta)  # fmt: skip


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
    """Count one request and `tokens` against every limit that applies in the last minute, or
    refuse with 429 and the seconds until the call would fit. `now` (seconds since the epoch)
    stands in for Redis's clock."""
    tenant_rpm = _limit(tenant.requests_per_minute, settings.ATRIUM_DEFAULT_REQUESTS_PER_MINUTE)
    tenant_tpm = _limit(tenant.tokens_per_minute, settings.ATRIUM_DEFAULT_TOKENS_PER_MINUTE)
    base = tenant_key(tenant.pk, "rl")
    model_base = f"{base}:m{grant.model_id}"
    counters = [
        Counter(f"{base}:req", tenant_rpm, 1, f"{tenant_rpm} requests per minute"),
        Counter(f"{base}:tok", tenant_tpm, tokens, f"{tenant_tpm} tokens per minute"),
        Counter(f"{model_base}:req", grant.requests_per_minute or 0, 1,
                f"{grant.requests_per_minute} requests/min to {model_name}"),
        Counter(f"{model_base}:tok", grant.tokens_per_minute or 0, tokens,
                f"{grant.tokens_per_minute} tokens/min to {model_name}"),
    ]  # fmt: skip
    counters = [counter for counter in counters if counter.limit > 0]  # 0: no limit
    call = uuid.uuid4().hex
    keys = [key for counter in counters for key in (counter.key, f"{counter.key}:total")]
    clock = "" if now is None else int(now * 1000)
    arguments: list[str | int] = [clock, WINDOW_SECONDS * 1000, call]
    for counter in counters:
        arguments += [counter.limit, counter.amount]
    refused, wait_ms = run_script(TAKE, keys, arguments)
    if refused:
        counter = counters[int(refused) - 1]
        retry_after = max(1, math.ceil(int(wait_ms) / 1000))
        if not wait_ms:
            raise RateLimited(
                f"This call could use {counter.amount} tokens, more than {tenant.name}'s limit "
                f"of {counter.description}: lower max_tokens.",
                retry_after=WINDOW_SECONDS,
            )
        raise RateLimited(
            f"Rate limit reached: {tenant.name} may make {counter.description}. "
            f"Retry in {retry_after} s.",
            retry_after=retry_after,
        )
    token_keys = tuple(c.key for c in counters if c.key.endswith(":tok"))
    return Reservation(token_keys=token_keys, reserved_tokens=tokens, call=call)


def _limit(value: int | None, default: int) -> int:
    return default if value is None else value
