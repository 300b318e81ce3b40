"""Demo data for `manage.py up`: the tenants acme and globex, and three people: a platform
administrator, an acme administrator and a globex member, whose roles and business units come
from group mappings (so their usage is charged to a unit, not to "No business unit").

Idempotent: what exists is left alone, so a second `up` on the same data directory just starts.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from identity.models import GroupMapping
from identity.services import builtin_identity, sync_group_roles
from models_catalog.services.access import grant_model
from tenants.models import BusinessUnit, Tenant
from tenants.services import add_business_unit, create_tenant


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    units: tuple[tuple[str, str], ...]  # (business unit, cost centre); the first is the tenant's


@dataclass(frozen=True)
class DemoPerson:
    username: str
    description: str
    group: str  # an identity-provider group, mapped to the person's role below


DEMO_TENANTS = (
    DemoTenant(
        "acme", "Acme Retail", (("Retail Banking", "CC-1001"), ("Wealth Management", "CC-1002"))
    ),
    DemoTenant("globex", "Globex Research", (("Research", "CC-2001"),)),
)
DEMO_PEOPLE = (
    DemoPerson("admin", "platform administrator", "atrium-platform-admins"),
    DemoPerson("alice", "tenant administrator of acme", "lob-retail-admins"),
    DemoPerson("bob", "member of globex", "globex-research"),
)
DEMO_MODELS = ("local/gemma-3-270m", "local/all-minilm-l6-v2")
DEMO_GROUP_MAPPINGS = (  # (group, grant, tenant, business unit)
    ("atrium-platform-admins", GroupMapping.Grant.PLATFORM_ADMIN, None, None),
    ("lob-retail-admins", GroupMapping.Grant.TENANT_ADMIN, "acme", "Retail Banking"),
    ("globex-research", GroupMapping.Grant.MEMBER, "globex", "Research"),
)


@dataclass(frozen=True)
class DemoSeed:
    people: list[tuple[DemoPerson, str | None]]  # password None: the person existed already
    created: list[str]


def seed_demo_data(*, credentials_file: Path) -> DemoSeed:
    """Create what is missing of the demo data and return the sign-in details."""
    created: list[str] = []
    for spec in DEMO_TENANTS:
        _ensure_demo_tenant(spec, created)
    demo_tenants = list(Tenant.objects.filter(slug__in=[spec.slug for spec in DEMO_TENANTS]))
    for model_name in DEMO_MODELS:  # the local models work offline: every demo tenant gets them
        grant_model(model_name=model_name, tenants=demo_tenants, actor="demo data")
    for group, grant, slug, unit_name in DEMO_GROUP_MAPPINGS:
        tenant = Tenant.objects.get(slug=slug) if slug else None
        unit = BusinessUnit.objects.get(tenant=tenant, name=unit_name) if unit_name else None
        mapping, _ = GroupMapping.objects.get_or_create(
            group=group, tenant=tenant, defaults={"grant": grant, "business_unit": unit}
        )
        if mapping.business_unit_id is None and unit is not None:  # demo data of before units
            mapping.business_unit = unit
            mapping.save(update_fields=["business_unit"])
    known = _read_credentials(credentials_file)
    people = [(person, _ensure_person(person, known, created)) for person in DEMO_PEOPLE]
    _write_private(credentials_file, json.dumps(known))
    return DemoSeed(people=people, created=created)


def _read_credentials(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text()))


def _ensure_person(person: DemoPerson, known: dict[str, str], created: list[str]) -> str | None:
    user_model = get_user_model()
    user = user_model.objects.filter(username=person.username).first()
    if user is not None:
        return known.get(person.username)
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = user_model.objects.create_user(
            username=person.username,
            email=f"{person.username}@atrium.localhost",
            password=password,
            first_name=person.username.title(),
        )
        group, _ = Group.objects.get_or_create(name=person.group)
        user.groups.add(group)
        # The roles come from the group, exactly as they will at each sign-in.
        identity = builtin_identity(user)
        sync_group_roles(user=user, identity=identity, groups=[person.group])
        identity.save()
    known[person.username] = password
    created.append(f"{person.description} {person.username}")
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
