"""Every Redis key Atrium uses is built here, so that what belongs to a tenant is named by it.

A tenant's keys carry a hash tag, `{t<id>}`: on a Redis Cluster (ElastiCache in cluster mode) all
of one tenant's keys live in one slot, so a script may touch several of them at once (rate
limits of the tenant and of a model; the budgets of the tenant and of a business unit).
"""

from __future__ import annotations

PREFIX = "atrium"


def tenant_key(tenant_id: int, kind: str, *parts: object) -> str:
    """The key of `kind` (`rl`, `budget`, `answers`, ...) that belongs to tenant `tenant_id`."""
    if not isinstance(tenant_id, int) or isinstance(tenant_id, bool):
        raise TypeError(f"a tenant's key needs the tenant's id, not {tenant_id!r}")
    return ":".join([PREFIX, f"{{t{tenant_id}}}", kind, *map(str, parts)])


def platform_key(kind: str, *parts: object) -> str:
    """A key that belongs to no tenant (the usage stream, the hot cache's generation)."""
    return ":".join([PREFIX, kind, *map(str, parts)])
