"""What this process knows about service accounts, so the API path needs no query per call.

A change (revocation, new role or unit, an external client registered or withdrawn) is pushed to
every process over the invalidation channel when its transaction commits (`kernel.invalidation`):
every replica refuses a revoked account as soon as the message arrives. Should the channel be
down, no entry is trusted for longer than ATRIUM_PRINCIPAL_CACHE_SECONDS, and when it is back the
whole cache is dropped (messages may have been missed)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

from kernel import invalidation
from tenants.models import ServiceAccount

logger = logging.getLogger("atrium.identity")


@dataclass(frozen=True)
class AccountState:
    id: int
    name: str
    tenant_id: int
    role: str
    business_unit_id: int | None
    extra_business_unit_ids: frozenset[int] = frozenset()


_FIELDS = ("id", "name", "tenant_id", "role", "business_unit_id")
_accounts: dict[tuple[Any, ...], tuple[float, AccountState | None]] = {}
_accounts_lock = threading.Lock()
# How many times entries were forgotten: a row read before a forget may be the revoked one, so
# what was read is kept only if no forget came while it was read.
_forgets = 0


def active_service_account(client_id: str) -> AccountState | None:
    """One of ours, by the client id of the built-in provider's tokens."""
    return _remembered(
        ("builtin", client_id),
        lambda: ServiceAccount.objects.filter(client_id=client_id, revoked_at__isnull=True),
    )


def active_external_client(tenant_id: int, issuer: str, client_id: str) -> AccountState | None:
    """The account `tenant_id` registered for a client of the enterprise IdP, if any."""
    return _remembered(
        (tenant_id, issuer, client_id),
        lambda: ServiceAccount.objects.filter(
            external_client__tenant_id=tenant_id,
            external_client__issuer=issuer,
            external_client__client_id=client_id,
            revoked_at__isnull=True,
        ),
    )


def _remembered(key: tuple[Any, ...], rows: Callable[[], Any]) -> AccountState | None:
    invalidation.listening()  # this process hears of changes from now on
    now = time.monotonic()
    cached = _accounts.get(key)
    if cached is not None and now - cached[0] < settings.ATRIUM_PRINCIPAL_CACHE_SECONDS:
        return cached[1]
    forgets = _forgets
    row = rows().values(*_FIELDS).first()
    state = AccountState(**row, extra_business_unit_ids=_extra_units(row["id"])) if row else None
    with _accounts_lock:
        if _forgets == forgets:
            _accounts[key] = (now, state)
    return state


def _extra_units(account_id: int) -> frozenset[int]:
    through = ServiceAccount.extra_business_units.through
    return frozenset(
        through.objects.filter(serviceaccount_id=account_id).values_list(
            "businessunit_id", flat=True
        )
    )


def forget_service_account(client_id: str) -> None:
    """Drop every process's cached state of the account (after the change has committed)."""
    _forget_everywhere(("builtin", client_id))


def forget_external_client(tenant_id: int, issuer: str, client_id: str) -> None:
    """As forget_service_account, for a registration (made or revoked) of an external client."""
    _forget_everywhere((tenant_id, issuer, client_id))


def _forget_everywhere(key: tuple[Any, ...]) -> None:
    _forget(key)  # this process at once, whatever the channel does
    try:
        invalidation.publish("account", json.dumps(key))
    except redis.RedisError as error:
        logger.warning(
            "could not announce a service account change (%s): other processes apply it within "
            "ATRIUM_PRINCIPAL_CACHE_SECONDS",
            error,
        )


def _forget(key: tuple[Any, ...]) -> None:
    global _forgets
    with _accounts_lock:
        _accounts.pop(key, None)
        _forgets += 1


def _forget_all() -> None:
    global _forgets
    with _accounts_lock:
        _accounts.clear()
        _forgets += 1


invalidation.on_message("account", lambda payload: _forget(tuple(json.loads(payload))))
invalidation.on_resync(_forget_all)
