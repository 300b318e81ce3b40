"""Creating and deleting tenants: from the service, the command line and the Django admin."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from tenants.models import BusinessUnit, Domain, Tenant
from tenants.services import TenantError, create_tenant, delete_tenant

pytestmark = pytest.mark.django_db


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def test_create_tenant_makes_schema_route_and_business_unit() -> None:
    tenant = create_tenant(
        slug="north-wind", name="Northwind", business_unit="Retail", cost_centre="CC-42"
    )
    assert tenant.schema_name == "north_wind"
    assert schema_exists("north_wind")
    assert Domain.objects.get(tenant=tenant).domain == "north-wind"
    unit = BusinessUnit.objects.get(tenant=tenant)
    assert (unit.name, unit.cost_centre) == ("Retail", "CC-42")
    assert Client().get("/t/north-wind/").status_code == 200


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Bad_Slug", "lowercase letters"),
        ("ab", "3 to 40"),
        ("public", "reserved"),
        ("admin", "reserved"),
        ("ends-", "not ending with a hyphen"),
    ],
)
def test_bad_slug_is_refused_and_leaves_nothing(slug: str, message: str) -> None:
    before = Tenant.objects.count()
    with pytest.raises(TenantError, match=message):
        create_tenant(slug=slug, name="X", business_unit="Y")
    assert Tenant.objects.count() == before
    assert not schema_exists(slug.replace("-", "_").lower()) or slug == "public"


def test_duplicate_slug_is_refused() -> None:
    create_tenant(slug="dupe", name="First", business_unit="A")
    with pytest.raises(TenantError, match="already exists"):
        create_tenant(slug="dupe", name="Second", business_unit="B")
    assert Tenant.objects.get(slug="dupe").name == "First"


def test_tenant_without_business_unit_is_refused() -> None:
    with pytest.raises(TenantError, match="business unit"):
        create_tenant(slug="lonely", name="Lonely", business_unit="  ")
    assert not schema_exists("lonely")


def test_delete_needs_the_slug_repeated() -> None:
    create_tenant(slug="doomed", name="Doomed", business_unit="A")
    with pytest.raises(TenantError, match="confirm"):
        delete_tenant(slug="doomed", confirm="yes")
    assert schema_exists("doomed")
    delete_tenant(slug="doomed", confirm="doomed")
    assert not schema_exists("doomed")
    assert not Tenant.objects.filter(slug="doomed").exists()


def test_platform_tenant_cannot_be_deleted() -> None:
    with pytest.raises(TenantError, match="cannot be deleted"):
        delete_tenant(slug="platform", confirm="platform")
    assert schema_exists("public")


def test_create_and_delete_tenant_commands() -> None:
    out = io.StringIO()
    call_command(
        "create_tenant", "--slug", "cli-co", "--name", "CLI Co", "--business-unit", "Ops",
        stdout=out,
    )  # fmt: skip
    assert "/t/cli-co/" in out.getvalue()
    assert schema_exists("cli_co")

    with pytest.raises(CommandError, match="--confirm cli-co"):
        call_command("delete_tenant", "--slug", "cli-co")
    assert schema_exists("cli_co")

    call_command("delete_tenant", "--slug", "cli-co", "--confirm", "cli-co", stdout=io.StringIO())
    assert not schema_exists("cli_co")


def test_create_tenant_command_reports_errors() -> None:
    with pytest.raises(CommandError, match="reserved"):
        call_command("create_tenant", "--slug", "static", "--name", "S", "--business-unit", "B")


def test_admin_creates_and_deletes_a_tenant() -> None:
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345-xyz")
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/tenants/tenant/add/",
        {"name": "Initech", "slug": "initech", "cost_centre": "CC-7", "business_unit": "TPS"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant = Tenant.objects.get(slug="initech")
    assert schema_exists("initech")
    assert BusinessUnit.objects.filter(tenant=tenant, name="TPS").exists()

    refused = client.post(
        "/admin/tenants/tenant/add/",
        {"name": "Again", "slug": "initech", "business_unit": "X"},
    )
    assert refused.status_code == 200
    assert "already exists" in refused.content.decode()

    confirm_page = client.get(f"/admin/tenants/tenant/{tenant.pk}/delete/")
    assert confirm_page.status_code == 200
    assert (
        client.post(f"/admin/tenants/tenant/{tenant.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not schema_exists("initech")


def test_admin_cannot_delete_the_platform_tenant() -> None:
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-12345-xyz")
    client = Client()
    client.force_login(admin)
    platform = Tenant.objects.get(schema_name="public")
    assert client.get(f"/admin/tenants/tenant/{platform.pk}/delete/").status_code == 403
