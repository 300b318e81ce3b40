"""Demo data for `manage.py up`: a platform administrator and the tenants acme and globex.

Idempotent: what exists is left alone, so a second `up` on the same data directory just starts.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from tenants.models import BusinessUnit, Tenant
from tenants.services import add_business_unit, create_tenant

DEMO_ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    units: tuple[tuple[str, str], ...]  # (business unit, cost centre); the first is the tenant's


DEMO_TENANTS = (
    DemoTenant(
        "acme", "Acme Retail", (("Retail Banking", "CC-1001"), ("Wealth Management", "CC-1002"))
    ),
    DemoTenant("globex", "Globex Research", (("Research", "CC-2001"),)),
)


@dataclass(frozen=True)
class DemoSeed:
    username: str
    password: str | None  # None when the user existed before and its password is not on record
    created: list[str]


def seed_demo_data(*, credentials_file: Path) -> DemoSeed:
    """Create what is missing of the demo data and return the sign-in details."""
    created: list[str] = []
    password = _ensure_platform_admin(credentials_file, created)
    for spec in DEMO_TENANTS:
        _ensure_demo_tenant(spec, created)
    return DemoSeed(username=DEMO_ADMIN_USERNAME, password=password, created=created)


def _ensure_platform_admin(credentials_file: Path, created: list[str]) -> str | None:
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        if credentials_file.exists():
            return str(json.loads(credentials_file.read_text())["password"])
        return None
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user_model.objects.create_superuser(
            username=DEMO_ADMIN_USERNAME, email="admin@atrium.localhost", password=password
        )
        credentials = {"username": DEMO_ADMIN_USERNAME, "password": password}
        _write_private(credentials_file, json.dumps(credentials))
    created.append(f"platform administrator {DEMO_ADMIN_USERNAME}")
    return password


def _ensure_demo_tenant(spec: DemoTenant, created: list[str]) -> None:
    tenant = Tenant.objects.filter(slug=spec.slug).first()
    if tenant is None:
        first_unit, cost_centre = spec.units[0]
        tenant = create_tenant(
            slug=spec.slug,
            name=spec.name,
            business_unit=first_unit,
            cost_centre=cost_centre,
            actor="demo data",
        )
        created.append(f"tenant {spec.slug}")
    existing = set(BusinessUnit.objects.filter(tenant=tenant).values_list("name", flat=True))
    for name, cost_centre in spec.units:
        if name not in existing:
            add_business_unit(tenant=tenant, name=name, cost_centre=cost_centre)


def _write_private(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
