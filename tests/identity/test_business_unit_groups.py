"""Business units from the enterprise IdP's groups (GroupMapping with a unit): applied when a
token carries the groups, taken away when the groups no longer map to any unit."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from identity.models import GroupMapping
from tenants.services import add_business_unit
from tests.identity.external_idp import whoami

pytestmark = pytest.mark.django_db


def test_groups_map_a_person_to_units_and_the_header_to_the_others(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    retail = add_business_unit(tenant=acme, name="Retail", actor="test")
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="test")
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    GroupMapping.objects.create(group="dept-wealth", grant="business_unit", tenant=acme,
                                business_unit=wealth)  # fmt: skip
    GroupMapping.objects.create(group="dept-retail", grant="business_unit", tenant=acme,
                                business_unit=retail)  # fmt: skip
    now = int(time.time())

    first = idp.token("k1", sub="u-10", groups=["acme-users", "dept-wealth"], iat=now - 30)
    assert whoami(acme.slug, first).json()["business_unit"]["name"] == "Wealth"
    both = idp.token("k1", sub="u-10", groups=["acme-users", "dept-wealth", "dept-retail"],
                     iat=now - 20)  # fmt: skip
    assert whoami(acme.slug, both).json()["business_unit"]["name"] == "Wealth"  # kept
    chosen = Client().get(f"/t/{acme.slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {both}",
                          HTTP_X_ATRIUM_BUSINESS_UNIT="Retail")  # fmt: skip
    assert chosen.json()["business_unit"]["name"] == "Retail"

    none = idp.token("k1", sub="u-10", groups=["acme-users"], iat=now - 10)
    assert whoami(acme.slug, none).json()["business_unit"] is None
    refused = Client().get(f"/t/{acme.slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {none}",
                           HTTP_X_ATRIUM_BUSINESS_UNIT=str(retail.pk))  # fmt: skip
    assert refused.status_code == 403


def test_a_group_cannot_map_to_another_tenants_unit(module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    mapping = GroupMapping(group="spies", grant="member", tenant=acme,
                           business_unit=globex.business_units.get())  # fmt: skip
    with pytest.raises(ValidationError, match="business unit of the tenant"):
        mapping.full_clean()
