"""A call's admission in one round trip to Redis: its rate limits counted and its worst case
reserved on its budgets by one script, which checks every limit and every budget before it
takes anything, so a call is either admitted on all of them or refused with nothing held.

The rate limits are checked first, so a refusal names its real cause: a call the rate limit
refuses never holds (even for a moment) budget that a call within the limit needs, and a call a
budget refuses takes no place in the rate limits. A budget counter that is missing (a new month,
a Redis emptied) is reconciled from PostgreSQL and the admission tried again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from budgets.reservations import RESERVE_FUNCTIONS, BudgetHold, held, planned_hold
from gateway import rate_limits
from kernel.redis_client import run_script, shared_redis
from models_catalog.models import ModelGrant
from tenants.models import Tenant

# KEYS: the rate limits' keys, then the budgets'. ARGV: how many of KEYS and of the rest of ARGV
# are the rate limits', then the rate limits' arguments, then the budgets'. Answers {0, 0, 0}
# when admitted; {counter, ms until the call fits, 0} when a rate limit refuses; {0, 0, what
# `budget_refusal` answered} when a budget refuses or its counter needs reconciling.
ADMIT = (
    rate_limits.TAKE_FUNCTIONS
    + RESERVE_FUNCTIONS
    + """
local limit_keys, budget_keys, limit_args, budget_args = {}, {}, {}, {}
for i = 1, #KEYS do
  table.insert(i <= tonumber(ARGV[1]) and limit_keys or budget_keys, KEYS[i])
end
for i = 3, #ARGV do
  table.insert(i <= 2 + tonumber(ARGV[2]) and limit_args or budget_args, ARGV[i])
end
local now = rate_limit_clock(limit_args)
local refused = rate_limit_refusal(limit_keys, limit_args, now)
if refused then return {refused[1], refused[2], 0} end
local budget = budget_refusal(budget_keys, budget_args)
if budget ~= 0 then return {0, 0, budget} end
rate_limit_take(limit_keys, limit_args, now)
budget_take(budget_keys, budget_args)
return {0, 0, 0}
"""
)


def admit(
    *, tenant: Tenant, grant: ModelGrant, model_name: str, tokens: int,
    business_unit_id: int | None, cost: Decimal, at: datetime, request_id: str,
) -> tuple[rate_limits.Reservation, BudgetHold]:  # fmt: skip
    """Count the call and `tokens` on every rate limit that applies, and reserve `cost` on
    every budget that applies; or refuse with the 429 of the first limit or budget it would
    pass, holding nothing."""
    counts = rate_limits.planned(tenant=tenant, grant=grant, model_name=model_name, tokens=tokens)
    budgets = planned_hold(tenant_id=tenant.pk, business_unit_id=business_unit_id, cost=cost,
                           at=at, request_id=request_id)  # fmt: skip
    keys = [*counts.keys, *budgets.keys]
    if not keys:  # no limit and no budget: nothing to count
        return counts.reservation(), budgets.hold()
    arguments = [len(counts.keys), len(counts.arguments), *counts.arguments, *budgets.arguments]
    client = shared_redis()

    def attempt() -> int:
        refused, wait_ms, budget = run_script(ADMIT, keys, arguments, client)
        if refused:
            raise counts.refusal(int(refused), int(wait_ms))
        return int(budget)

    return counts.reservation(), held(budgets, attempt, client)
