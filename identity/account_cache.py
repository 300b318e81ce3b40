"""What this process knows about service accounts, for at most ATRIUM_PRINCIPAL_CACHE_SECONDS:
so the API path needs no query per call, and a revocation still reaches every replica quickly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tenants.models import ServiceAccount


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
    now = time.monotonic()
    cached = _accounts.get(key)
    if cached is not None and now - cached[0] < settings.ATRIUM_PRINCIPAL_CACHE_SECONDS:
        return cached[1]
    row = rows().values(*_FIELDS).first()
    state = AccountState(**row, extra_business_unit_ids=_extra_units(row["id"])) if row else None
    with _accounts_lock:
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
    """Drop this process's cached state (the revoking process applies a revocation at once)."""
    with _accounts_lock:
        _accounts.pop(("builtin", client_id), None)


def forget_external_client(tenant_id: int, issuer: str, client_id: str) -> None:
    """As forget_service_account, for a registration (made or revoked) of an external client."""
    with _accounts_lock:
        _accounts.pop((tenant_id, issuer, client_id), None)
