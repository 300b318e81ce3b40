"""Each tenant's data lives in its own schema; nothing crosses over, by construction."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from activity.models import ActivityEntry
from activity.services import NotInTenantSchema, record_activity
from tenants.selectors import tenant_routed_by

pytestmark = pytest.mark.django_db


def test_row_written_in_one_schema_is_invisible_from_another(make_tenant) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    with schema_context(acme.schema_name):
        record_activity(kind="note", message="acme's secret plan")
    with schema_context(globex.schema_name):
        assert not ActivityEntry.objects.filter(message="acme's secret plan").exists()
        assert "note" not in ActivityEntry.objects.values_list("kind", flat=True)
        assert ActivityEntry.objects.filter(kind="tenant.created").count() == 1
    with schema_context(acme.schema_name):
        assert ActivityEntry.objects.filter(message="acme's secret plan").count() == 1


def test_tenant_data_cannot_be_written_in_the_public_schema() -> None:
    with pytest.raises(NotInTenantSchema):
        record_activity(kind="note", message="nowhere")


def test_tenant_page_is_served_under_its_subfolder(make_tenant) -> None:
    acme = make_tenant("acme")
    response = Client().get(f"/t/{acme.slug}/")
    assert response.status_code == 200
    assert acme.name in response.content.decode()


def test_unknown_tenant_subfolder_is_404() -> None:
    assert Client().get("/t/no-such-tenant/").status_code == 404


def test_tenant_page_shows_only_that_tenants_activity(make_tenant) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    with schema_context(acme.schema_name):
        record_activity(kind="note", message="only-in-acme")
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345-xyz")
    client = Client()
    client.force_login(admin)

    acme_page = client.get(f"/t/{acme.slug}/").content.decode()
    globex_page = client.get(f"/t/{globex.slug}/").content.decode()

    assert "only-in-acme" in acme_page
    assert "only-in-acme" not in globex_page
    assert "Tenant Globex Ltd created" in globex_page


def test_anonymous_visitor_sees_no_tenant_activity(make_tenant) -> None:
    acme = make_tenant("acme")
    page = Client().get(f"/t/{acme.slug}/").content.decode()
    assert "created with business unit" not in page
    assert "Sign in" in page


def test_a_request_does_not_leave_its_tenants_schema_behind(make_tenant) -> None:
    """Otherwise the thread's next queries (or a test database flush, which lists the current
    schema's tables) would run in the last tenant's schema."""
    acme = make_tenant("acme")
    assert Client().get(f"/t/{acme.slug}/").status_code == 200
    assert connection.schema_name == "public"


def test_made_up_slugs_do_not_fill_the_route_cache(make_tenant) -> None:
    """A slug no tenant has is looked up each time, not kept: a flood of made-up ones (anyone
    can send them) would fill the shared cache, whose entries are all dropped when it is full,
    and send every real call back to the database."""
    acme = make_tenant("acme")
    tenant_routed_by(acme.slug)
    with CaptureQueriesContext(connection) as known:
        for _ in range(3):
            assert tenant_routed_by(acme.slug).pk == acme.pk  # type: ignore[union-attr]
    assert len(known) == 0  # kept
    with CaptureQueriesContext(connection) as unknown:
        for _ in range(3):
            assert tenant_routed_by("no-such-tenant-zz") is None
    assert len(unknown) == 3  # read again each time, never kept
    with CaptureQueriesContext(connection) as still:
        tenant_routed_by(acme.slug)
    assert len(still) == 0
