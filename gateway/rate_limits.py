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

# Lua functions, shared by TAKE and the gateway's admission script (`gateway.admission`). keys: per
# counter, its calls (a sorted set of "<call>:<amount>" by time in ms) and their total. argv: now
# in ms (empty: Redis's own clock, one for every replica), the window in ms, the call's id, then
# (limit, amount) per counter. `rate_limit_refusal` lets go of the calls that left the window and
# answers nil when the call fits every counter, else {the refusing counter's number, ms until
# the call would fit (0: it never fits)}; `rate_limit_take` logs the call on every counter.
TAKE_FUNCTIONS = """
local function rate_limit_clock(argv)
  local now = tonumber(argv[1])
  if not now then
    local clock = redis.call('TIME')
    now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  end
  return now
end
local function amount_of(member)
  return tonumber(string.match(member, ':(%-?%d+)$'))
end
local function rate_limit_refusal(keys, argv, now)
  local window = tonumber(argv[2])
  local totals = {}
  for i = 1, #keys / 2 do
    local calls, total = keys[2 * i - 1], keys[2 * i]
    local left = redis.call('ZRANGEBYSCORE', calls, '-inf', now - window)
    if #left > 0 then
      local freed = 0
      for _, member in ipairs(left) do freed = freed + amount_of(member) end
      redis.call('ZREMRANGEBYSCORE', calls, '-inf', now - window)
      redis.call('DECRBY', total, freed)
    end
    totals[i] = tonumber(redis.call('GET', total) or '0')
  end
  for i = 1, #keys / 2 do
    local limit = tonumber(argv[2 + 2 * i])
    local amount = tonumber(argv[3 + 2 * i])
    local excess = totals[i] + amount - limit
    if excess > 0 then
      if amount > limit then return {i, 0} end
      local logged = redis.call('ZRANGE', keys[2 * i - 1], 0, -1, 'WITHSCORES')
      local freed = 0
      for j = 1, #logged, 2 do
        freed = freed + amount_of(logged[j])
        if freed >= excess then return {i, tonumber(logged[j + 1]) + window - now} end
      end
      return {i, window}
    end
  end
  return nil
end
local function rate_limit_take(keys, argv, now)
  local window = tonumber(argv[2])
  for i = 1, #keys / 2 do
    local amount = argv[3 + 2 * i]
    redis.call('ZADD', keys[2 * i - 1], now, argv[3] .. ':' .. amount)
    redis.call('INCRBY', keys[2 * i], amount)
    redis.call('PEXPIRE', keys[2 * i - 1], window * 2)
    redis.call('PEXPIRE', keys[2 * i], window * 2)
  end
end
"""
# All or nothing. Answers {0, 0} when taken, else what `rate_limit_refusal` answered.
TAKE = (
    TAKE_FUNCTIONS
    + """
local now = rate_limit_clock(ARGV)
local refused = rate_limit_refusal(KEYS, ARGV, now)
if refused then return refused end
rate_limit_take(KEYS, ARGV, now)
return {0, 0}
"""
)

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


@dataclass(frozen=True)
class Take:
    """One call's counts, as the scripts take them: `keys` and `arguments` for TAKE_FUNCTIONS."""

    tenant: Tenant
    counters: list[Counter]
    call: str
    tokens: int
    keys: list[str]
    arguments: list[str | int]

    def refusal(self, refused: int, wait_ms: int) -> RateLimited:
        """The 429 for the `refused`-th counter (from 1), which fits again in `wait_ms`."""
        counter = self.counters[refused - 1]
        if not wait_ms:
            return RateLimited(
                f"This call could use {counter.amount} tokens, more than {self.tenant.name}'s "
                f"limit of {counter.description}: lower max_tokens.",
                retry_after=WINDOW_SECONDS,
            )
        retry_after = max(1, math.ceil(wait_ms / 1000))
        return RateLimited(
            f"Rate limit reached: {self.tenant.name} may make {counter.description}. "
            f"Retry in {retry_after} s.",
            retry_after=retry_after,
        )

    def reservation(self) -> Reservation:
        """The tokens taken, once the counts are."""
        token_keys = tuple(c.key for c in self.counters if c.key.endswith(":tok"))
        return Reservation(token_keys=token_keys, reserved_tokens=self.tokens, call=self.call)


def planned(
    *, tenant: Tenant, grant: ModelGrant, model_name: str, tokens: int, now: float | None = None
) -> Take:
    """One request and `tokens` for every limit that applies to the tenant and the model. `now`
    (seconds since the epoch) stands in for Redis's clock."""
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
    return Take(tenant, counters, call, tokens, keys, arguments)


def take(
    *, tenant: Tenant, grant: ModelGrant, model_name: str, tokens: int, now: float | None = None
) -> Reservation:
    """Count one request and `tokens` against every limit that applies in the last minute, or
    refuse with 429 and the seconds until the call would fit. `now` (seconds since the epoch)
    stands in for Redis's clock. (The gateway takes them with its budgets: `gateway.admission`.)"""
    counts = planned(tenant=tenant, grant=grant, model_name=model_name, tokens=tokens, now=now)
    refused, wait_ms = run_script(TAKE, counts.keys, counts.arguments)
    if refused:
        raise counts.refusal(int(refused), int(wait_ms))
    return counts.reservation()


def _limit(value: int | None, default: int) -> int:
    return default if value is None else value
