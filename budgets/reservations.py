"""Budgets enforced by reservation in Redis, so that concurrent calls can never overspend.

Per budget and month one counter holds what is spent plus what running calls have reserved, in
billionths of the currency. Before a call, its worst case (prompt estimate + max_tokens at the
model's prices) is reserved for every budget that applies (the tenant's, the caller's business
unit's) by one Lua script that checks all of them and takes all or none; after the call the
reservation is settled to the real cost in the round trip that queues the usage event.

Beside each counter, two hashes say what it holds beyond the recorded events: `holds` (each
running call's reservation, by request id, with when it was taken; a third hash, `holders`,
names the process that took it: `budgets.holders`) and `unrecorded` (each settled
call's cost until the recorder has written its event). PostgreSQL's events are the truth: the
counter is reconciled to recorded spend + unrecorded costs + live holds (`reconcile_budget`)
when it is missing (a new month, a new budget, Redis emptied or replaced), periodically (beat,
one task per tenant) and when beat starts, so a Redis restored from an older file, failed over
or leaking reservations cannot let spend pass a hard limit for long. Alerts fire once per
threshold and month.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

import redis
from django.db.models import Sum

from budgets.holders import HOLDER_TTL_SECONDS, dead_among, this_holder
from budgets.models import Budget
from kernel.errors import DomainError
from kernel.hot_cache import cached
from kernel.redis_client import run_script, shared_redis
from kernel.redis_keys import tenant_key
from metering.models import UsageEvent
from tenants.schemas import in_tenant_schema

logger = logging.getLogger("atrium.metering")

UNITS = Decimal(1_000_000_000)  # counters hold billionths: costs have 9 decimal places
COUNTER_TTL = 40 * 24 * 3600

# A reservation older than this belongs to a call that died before settling: reconciliation
# lets it go (sooner when its holder is known to be dead: `budgets.holders`).
HOLD_SECONDS = 3600

# Lua functions, shared by RESERVE and the gateway's admission script (`gateway.admission`). keys:
# (counter, holds, holders) per budget. argv: request id, now, ttl, holder, then (limit, amount,
# hard) per budget. A hold's value stays `amount:taken`, as releases before holders read it; its
# holder goes to the hash beside it.
# `budget_refusal` answers -i: counter i needs reconciling; i: refused by budget i; 0: it fits
# every budget. `budget_take` reserves the amount on every budget.
RESERVE_FUNCTIONS = """
local function budget_refusal(keys, argv)
  for i = 1, #keys / 3 do
    local current = redis.call('GET', keys[3 * i - 2])
    if not current then return -i end
    local limit, amount = tonumber(argv[3 * i + 2]), tonumber(argv[3 * i + 3])
    if argv[3 * i + 4] == '1' and tonumber(current) + amount > limit then return i end
  end
  return 0
end
local function budget_take(keys, argv)
  for i = 1, #keys / 3 do
    redis.call('INCRBY', keys[3 * i - 2], argv[3 * i + 3])
    redis.call('HSET', keys[3 * i - 1], argv[1], argv[3 * i + 3] .. ':' .. argv[2])
    redis.call('EXPIRE', keys[3 * i - 1], argv[3])
    redis.call('HSET', keys[3 * i], argv[1], argv[4])
    redis.call('EXPIRE', keys[3 * i], argv[3])
  end
end
"""
# All or nothing: answers 0 when reserved, else what `budget_refusal` answered.
RESERVE = (
    RESERVE_FUNCTIONS
    + """
local refused = budget_refusal(KEYS, ARGV)
if refused ~= 0 then return refused end
budget_take(KEYS, ARGV)
return 0
"""
)

# KEYS: counter, holds, unrecorded, holders. ARGV: recorded spend, holds taken before this are
# let go, ttl, '1' to leave an existing counter alone, holds of dead holders taken before this
# are let go, then the holders that are dead. Answers the counter. (A hold taken by a release
# before holders names none: it lives its hour.)
RECONCILE = """
if ARGV[4] == '1' then
  local current = redis.call('GET', KEYS[1])
  if current then return tonumber(current) end
end
local dead = {}
for i = 6, #ARGV do dead[ARGV[i]] = true end
local holder_of = {}
local holders = redis.call('HGETALL', KEYS[4])
for i = 1, #holders, 2 do holder_of[holders[i]] = holders[i + 1] end
local total = tonumber(ARGV[1])
for _, cost in ipairs(redis.call('HVALS', KEYS[3])) do total = total + tonumber(cost) end
local holds = redis.call('HGETALL', KEYS[2])
for i = 1, #holds, 2 do
  local amount, taken = string.match(holds[i + 1], '^(%-?%d+):(%d+)')
  local holder = holder_of[holds[i]]
  local keep = amount and tonumber(taken) >= tonumber(ARGV[2])
    and not (holder and dead[holder] and tonumber(taken) < tonumber(ARGV[5]))
  if keep then
    total = total + tonumber(amount)
    holder_of[holds[i]] = nil
  else
    redis.call('HDEL', KEYS[2], holds[i])
  end
end
for request, _ in pairs(holder_of) do redis.call('HDEL', KEYS[4], request) end
redis.call('SET', KEYS[1], string.format('%d', total), 'EX', ARGV[3])
return total
"""


def to_units(amount: Decimal) -> int:
    return int((amount * UNITS).to_integral_value(rounding=ROUND_CEILING))


def from_units(units: int) -> Decimal:
    return Decimal(units) / UNITS


@dataclass(frozen=True)
class BudgetRule:
    """What the hot path needs of a Budget (cached)."""

    id: int
    schema_name: str
    tenant_id: int
    business_unit_id: int | None
    name: str
    limit: Decimal
    currency: str
    thresholds: tuple[int, ...]
    hard: bool

    def counter(self, at: datetime) -> str:
        return tenant_key(self.tenant_id, "budget", self.id, f"{at.year}{at.month:02d}")

    def holds(self, at: datetime) -> str:
        return f"{self.counter(at)}:holds"

    def holders(self, at: datetime) -> str:
        return f"{self.counter(at)}:holders"

    def unrecorded(self, at: datetime) -> str:
        return f"{self.counter(at)}:unrecorded"


def month_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(at: datetime) -> datetime:
    start = month_start(at)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


class BudgetExhausted(DomainError):
    status_code = 429
    code = "budget_exhausted"

    def __init__(self, rule: BudgetRule, at: datetime) -> None:
        resets = next_month_start(at)
        super().__init__(
            f"{rule.name} ({rule.currency} {rule.limit:,.2f}) is spent for "
            f"{at:%B %Y}: it resets on {resets:%Y-%m-%d} 00:00 UTC. Ask a platform "
            "administrator to raise it."
        )
        self.retry_after = max(1, int((resets - at).total_seconds()))


def rules_of_tenant(tenant_id: int) -> list[BudgetRule]:
    return cached(("budgets", tenant_id), lambda: _load_rules(tenant_id))


def rule_of(budget: Budget) -> BudgetRule:
    return BudgetRule(
        id=budget.pk,
        schema_name=budget.tenant.schema_name,
        tenant_id=budget.tenant_id,
        business_unit_id=budget.business_unit_id,
        name=budget.scope_name,
        limit=budget.monthly_limit,
        currency=budget.currency,
        thresholds=tuple(sorted(budget.alert_thresholds)),
        hard=budget.hard_limit,
    )


def _load_rules(tenant_id: int) -> list[BudgetRule]:
    budgets = Budget.objects.unscoped().filter(tenant_id=tenant_id)
    return [rule_of(budget) for budget in budgets.select_related("tenant", "business_unit")]


def spent_in_month(rule: BudgetRule, at: datetime) -> Decimal:
    """Recorded spend of the budget's scope this month (the database's view)."""
    events = UsageEvent.objects.unscoped().filter(
        tenant_id=rule.tenant_id, started_at__gte=month_start(at), currency=rule.currency
    )
    if rule.business_unit_id is not None:
        events = events.filter(business_unit_id=rule.business_unit_id)
    return events.aggregate(total=Sum("cost"))["total"] or Decimal(0)


def _recorded_among(request_ids: list[bytes]) -> list[str]:
    """Those of `request_ids` whose usage event PostgreSQL has."""
    ids = [request_id.decode() for request_id in request_ids]
    events = UsageEvent.objects.unscoped().values_list("request_id", flat=True)
    found: list[str] = []
    for start in range(0, len(ids), 5000):
        found += events.filter(request_id__in=ids[start : start + 5000])
    return found


def reconcile_budget(
    rule: BudgetRule,
    at: datetime,
    *,
    only_if_missing: bool = False,
    client: redis.Redis | None = None,
) -> Decimal:
    """Set the counter of `rule`'s month to recorded spend + unrecorded costs + live holds, and
    answer it (`only_if_missing`: leave an existing counter as it is). Costs and holds whose
    event is recorded are dropped first, after the spend that includes them is read, so nothing
    is counted twice or missed; a call settling meanwhile is at worst counted twice until the
    next reconciliation (never too little)."""
    client = client or shared_redis()
    current = client.get(rule.counter(at)) if only_if_missing else None
    if current is not None:
        return from_units(int(current))
    with client.pipeline(transaction=False) as pipe:
        pipe.hkeys(rule.unrecorded(at))
        pipe.hkeys(rule.holds(at))
        pipe.hvals(rule.holders(at))
        unrecorded, holds, holders = pipe.execute()
    recorded = _recorded_among([*unrecorded, *holds])  # before the spend: it includes them
    spent = to_units(spent_in_month(rule, at))
    if recorded:
        with client.pipeline(transaction=False) as pipe:
            for start in range(0, len(recorded), 1000):
                pipe.hdel(rule.unrecorded(at), *recorded[start : start + 1000])
                pipe.hdel(rule.holds(at), *recorded[start : start + 1000])
            pipe.execute()
    dead = dead_among({holder.decode() for holder in holders}, client)
    keys = [rule.counter(at), rule.holds(at), rule.unrecorded(at), rule.holders(at)]
    now = int(time.time())
    # A holder's key may be missing for a moment while it lives (Redis emptied: it beats again
    # within BEAT_SECONDS); only holds older than its key's lifetime are judged by it.
    total = client.eval(
        RECONCILE, len(keys), *keys, spent, now - HOLD_SECONDS, COUNTER_TTL,
        "1" if only_if_missing else "0", now - HOLDER_TTL_SECONDS, *dead,
    )  # fmt: skip
    return from_units(int(total))


def spend_now(rule: BudgetRule, at: datetime) -> Decimal:
    """Spent and reserved this month, as enforcement sees it."""
    raw = shared_redis().get(rule.counter(at))
    if raw is None:
        return reconcile_budget(rule, at, only_if_missing=True)
    return from_units(int(raw))


# Thresholds this process knows were raised (each raised once a month, whoever raised it): a
# call past them reads no holds. Bounded: a key per budget, threshold and month.
_RAISED: set[str] = set()


@dataclass
class BudgetHold:
    """The worst case reserved on each applicable budget for call `request_id`; settled once."""

    rules: list[BudgetRule]
    at: datetime
    reserved: int
    request_id: str = ""
    settled: bool = False

    def settle(self, cost: Decimal | None, pipe: redis.client.Pipeline) -> int:
        """Queue the correction on `pipe` as its first commands (how many: returned), whose
        results — the new totals — `alerts()` reads; the cost is kept as unrecorded until the
        recorder has written the call's event (queued in the same round trip)."""
        units = to_units(cost) if cost is not None else 0
        return self._settle(units, pipe, unrecorded=units)

    def release(self) -> None:
        """The call never ran: give the whole reservation back."""
        with shared_redis().pipeline(transaction=False) as pipe:
            if self._settle(0, pipe, unrecorded=0):
                pipe.execute()

    def _settle(self, units: int, pipe: redis.client.Pipeline, *, unrecorded: int) -> int:
        if self.settled or not self.rules:
            return 0
        self.settled = True
        for rule in self.rules:
            pipe.incrby(rule.counter(self.at), units - self.reserved)
        for rule in self.rules:  # the cost is kept before the hold goes: never neither
            if unrecorded:
                pipe.hset(rule.unrecorded(self.at), self.request_id, unrecorded)
                pipe.expire(rule.unrecorded(self.at), COUNTER_TTL)
            pipe.hdel(rule.holds(self.at), self.request_id)
            pipe.hdel(rule.holders(self.at), self.request_id)
        return len(self.rules)

    def alerts(self, totals: list[int]) -> None:
        """Raise each threshold that this month's spend has crossed, once (the first settle
        past it wins). A counter also holds what running calls reserved for their worst case,
        which is not spent: a threshold the counter passes is judged again on the counter less
        those holds, read only then."""
        client = shared_redis()
        for rule, total in zip(self.rules, totals, strict=True):
            counted = from_units(int(total)) * 100
            passed = [
                f"{rule.counter(self.at)}:alerted:{percent}"
                for percent in rule.thresholds
                if counted >= rule.limit * percent
            ]
            if not (unraised := [key for key in passed if key not in _RAISED]):
                continue
            # The counter and its holds read at one instant (a call settled in between would
            # leave its worst case in `total` but not in the holds). A settle adds its cost
            # before it lets its hold go, so this can only read less than is spent: an alert
            # comes a settle late, never early.
            with client.pipeline(transaction=True) as pipe:
                pipe.get(rule.counter(self.at))
                pipe.hvals(rule.holds(self.at))
                counter, holds = pipe.execute()
            spent = from_units(int(counter or 0) - sum(map(_held_units, holds)))
            for percent, once in zip(rule.thresholds, passed, strict=False):
                if spent * 100 < rule.limit * percent:
                    break
                if once in unraised and client.set(once, 1, nx=True, ex=COUNTER_TTL):
                    _announce(rule, percent, spent, self.at)
                _RAISED.add(once)


def _held_units(hold: bytes | str) -> int:
    """The units a hold reserved: its value is "<units>:<taken at>"."""
    text = hold.decode() if isinstance(hold, bytes) else hold
    return int(text.split(":", 1)[0])


def _announce(rule: BudgetRule, percent: int, spent: Decimal, at: datetime) -> None:
    from activity.tasks import record_activity_task

    message = (
        f"{rule.name} has reached {percent} % for {at:%B %Y}: {rule.currency} {spent:,.2f} "
        f"of {rule.limit:,.2f}."
    )
    logger.warning(message, extra={"tenant": rule.schema_name, "budget": rule.id})
    with in_tenant_schema(rule):  # the task runs in the tenant's schema
        record_activity_task.delay("budget_alert", message, "metering")


@dataclass(frozen=True)
class PlannedHold:
    """A call's reservation on the budgets that apply, as the scripts take it: `keys` and
    `arguments` for RESERVE_FUNCTIONS."""

    rules: list[BudgetRule]
    at: datetime
    amount: int
    request_id: str
    keys: list[str]
    arguments: list[object]

    def hold(self) -> BudgetHold:
        """The reservation, once taken."""
        return BudgetHold(self.rules, self.at, self.amount, self.request_id)


def planned_hold(
    *, tenant_id: int, business_unit_id: int | None, cost: Decimal, at: datetime, request_id: str
) -> PlannedHold:
    """`cost` for call `request_id` on every budget that applies: the tenant's, and its
    business unit's."""
    rules = [
        rule
        for rule in rules_of_tenant(tenant_id)
        if rule.business_unit_id is None or rule.business_unit_id == business_unit_id
    ]
    amount = to_units(cost)
    keys = [key for rule in rules for key in (rule.counter(at), rule.holds(at), rule.holders(at))]
    arguments: list[object] = (
        [request_id, int(time.time()), COUNTER_TTL, this_holder()] if rules else []
    )
    for rule in rules:
        arguments += [to_units(rule.limit), amount, "1" if rule.hard else "0"]
    return PlannedHold(rules, at, amount, request_id, keys, arguments)


def held(planned: PlannedHold, attempt: Callable[[], int], client: redis.Redis) -> BudgetHold:
    """Run `attempt` (a script that reserves `planned` all or nothing and answers as
    `budget_refusal`) until it has reserved, reconciling first each counter it finds missing;
    BudgetExhausted naming the budget that refused."""
    for _ in range(len(planned.rules) + 1):
        answer = attempt()
        if answer == 0:
            return planned.hold()
        if answer > 0:
            raise BudgetExhausted(planned.rules[answer - 1], planned.at)
        reconcile_budget(planned.rules[-answer - 1], planned.at, only_if_missing=True,
                         client=client)  # fmt: skip
    raise RuntimeError(
        "budget counters could not be reconciled"
    )  # only if Redis drops keys at once


def reserve_budgets(
    *, tenant_id: int, business_unit_id: int | None, cost: Decimal, at: datetime, request_id: str
) -> BudgetHold:
    """Reserve `cost` for call `request_id` on every budget that applies, or refuse with 429
    naming the budget. (The gateway reserves with its rate limits: `gateway.admission`.)"""
    planned = planned_hold(tenant_id=tenant_id, business_unit_id=business_unit_id, cost=cost,
                           at=at, request_id=request_id)  # fmt: skip
    if not planned.rules:
        return planned.hold()
    client = shared_redis()
    return held(
        planned, lambda: int(run_script(RESERVE, planned.keys, planned.arguments, client)), client
    )


def reconcile_budgets_of(tenant_id: int, at: datetime) -> dict[int, Decimal]:
    """Reconcile every budget of the tenant for `at`'s month (the rules read afresh); answers
    each budget's counter."""
    return {rule.id: reconcile_budget(rule, at) for rule in _load_rules(tenant_id)}
