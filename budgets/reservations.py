"""Budgets enforced by reservation in Redis, so that concurrent calls can never overspend.

Per budget and month one counter holds what is spent plus what running calls have reserved, in
billionths of the currency. Before a call, its worst case (prompt estimate + max_tokens at the
model's prices) is reserved for every budget that applies (the tenant's, the caller's business
unit's) by one Lua script that checks all of them and takes all or none; after the call the
reservation is settled to the real cost in the round trip that queues the usage event.

A counter that does not exist yet (a new month, a new budget, Redis emptied) is seeded from the
recorded events of the month before it is used. Alerts fire once per threshold and month.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

import redis
from django.db.models import Sum

from budgets.models import Budget
from kernel.errors import DomainError
from kernel.hot_cache import cached
from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from metering.models import UsageEvent
from tenants.schemas import in_tenant_schema

logger = logging.getLogger("atrium.metering")

UNITS = Decimal(1_000_000_000)  # counters hold billionths: costs have 9 decimal places
COUNTER_TTL = 40 * 24 * 3600

# KEYS: counters. ARGV: (limit, amount, hard) per key. -i: key i needs seeding; i: refused.
RESERVE = """
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if not current then return -i end
  local limit, amount = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
  if ARGV[3 * i] == '1' and tonumber(current) + amount > limit then return i end
end
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, ARGV[3 * i - 1])
end
return 0
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
        return tenant_key(self.tenant_id, "budget", self.id, f"{at:%Y%m}")


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


def _seed(client: redis.Redis, rule: BudgetRule, at: datetime) -> None:
    client.set(rule.counter(at), to_units(spent_in_month(rule, at)), nx=True, ex=COUNTER_TTL)


def spend_now(rule: BudgetRule, at: datetime) -> Decimal:
    """Spent and reserved this month, as enforcement sees it."""
    client = shared_redis()
    raw = client.get(rule.counter(at))
    if raw is None:
        _seed(client, rule, at)
        raw = client.get(rule.counter(at))
    return from_units(int(raw or 0))


@dataclass
class BudgetHold:
    """The worst case reserved on each applicable budget; settled once."""

    rules: list[BudgetRule]
    at: datetime
    reserved: int
    settled: bool = False

    def settle(self, cost: Decimal | None, pipe: redis.client.Pipeline) -> int:
        """Queue the correction on `pipe` as its first commands (how many: returned), whose
        results — the new totals — `alerts()` reads."""
        if self.settled or not self.rules:
            return 0
        self.settled = True
        delta = (to_units(cost) if cost is not None else 0) - self.reserved
        for rule in self.rules:
            pipe.incrby(rule.counter(self.at), delta)
        return len(self.rules)

    def release(self) -> None:
        """The call never ran: give the whole reservation back."""
        with shared_redis().pipeline(transaction=False) as pipe:
            if self.settle(Decimal(0), pipe):
                pipe.execute()

    def alerts(self, totals: list[int]) -> None:
        """Raise each threshold crossed this month, once (the first settle past it wins)."""
        client = shared_redis()
        for rule, total in zip(self.rules, totals, strict=True):
            spent = from_units(int(total))
            for percent in rule.thresholds:
                if spent * 100 < rule.limit * percent:
                    break
                once = f"{rule.counter(self.at)}:alerted:{percent}"
                if client.set(once, 1, nx=True, ex=COUNTER_TTL):
                    _announce(rule, percent, spent, self.at)


def _announce(rule: BudgetRule, percent: int, spent: Decimal, at: datetime) -> None:
    from activity.tasks import record_activity_task

    message = (
        f"{rule.name} has reached {percent} % for {at:%B %Y}: {rule.currency} {spent:,.2f} "
        f"of {rule.limit:,.2f}."
    )
    logger.warning(message, extra={"tenant": rule.schema_name, "budget": rule.id})
    with in_tenant_schema(rule):  # the task runs in the tenant's schema
        record_activity_task.delay("budget_alert", message, "metering")


def reserve_budgets(
    *, tenant_id: int, business_unit_id: int | None, cost: Decimal, at: datetime
) -> BudgetHold:
    """Reserve `cost` on every budget that applies, or refuse with 429 naming the budget."""
    rules = [
        rule
        for rule in rules_of_tenant(tenant_id)
        if rule.business_unit_id is None or rule.business_unit_id == business_unit_id
    ]
    amount = to_units(cost)
    if not rules:
        return BudgetHold([], at, amount)
    client = shared_redis()
    keys = [rule.counter(at) for rule in rules]
    arguments: list[object] = []
    for rule in rules:
        arguments += [to_units(rule.limit), amount, "1" if rule.hard else "0"]
    for _ in range(len(rules) + 1):
        answer = int(client.eval(RESERVE, len(keys), *keys, *arguments))
        if answer == 0:
            return BudgetHold(rules, at, amount)
        if answer > 0:
            raise BudgetExhausted(rules[answer - 1], at)
        _seed(client, rules[-answer - 1], at)
    raise RuntimeError("budget counters could not be seeded")  # only if Redis drops keys at once
