"""What this process knows about service accounts, for at most ATRIUM_PRINCIPAL_CACHE_SECONDS:
so the API path needs no query per call, and a revocation still reaches every replica quickly."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from tenants.models import ServiceAccount


@dataclass(frozen=True)
class AccountState:
    id: int
    name: str
    tenant_id: int
    role: str
    business_unit_id: int | None


_accounts: dict[str, tuple[float, AccountState | None]] = {}
_accounts_lock = threading.Lock()


def active_service_account(client_id: str) -> AccountState | None:
    now = time.monotonic()
    cached = _accounts.get(client_id)
    if cached is not None and now - cached[0] < settings.ATRIUM_PRINCIPAL_CACHE_SECONDS:
        return cached[1]
    row = (
        ServiceAccount.objects.filter(client_id=client_id, revoked_at__isnull=True)
        .values("id", "name", "tenant_id", "role", "business_unit_id")
        .first()
    )
    state = AccountState(**row) if row else None
    with _accounts_lock:
        _accounts[client_id] = (now, state)
    return state


def forget_service_account(client_id: str) -> None:
    """Drop this process's cached state (the revoking process applies a revocation at once)."""
    with _accounts_lock:
        _accounts.pop(client_id, None)
