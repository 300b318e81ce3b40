"""The audit page: platform administrators read the whole log, a tenant's administrators their own
tenant's entries only, all of them filter it; bad filters are explained, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record_audit

pytestmark = pytest.mark.django_db

ROW = 'data-testid="audit-entry"'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> int:
    return response.content.decode().count(ROW)


def entries_of(tenant) -> int:
    """The tenant's entries: the log's, and those its creation wrote (its first business unit)."""
    return AuditEntry.objects.unscoped().filter(tenant_id=tenant.pk).count()


@pytest.fixture
def log(module_tenants) -> dict[str, AuditEntry]:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    return {
        "acme_budget": record_audit(
            actor="Ivy@acme.example", action="budget.changed", target=acme, tenant=acme,
            before={"monthly_limit": "10.00"}, after={"monthly_limit": "20.00"},
        ),
        "acme_grant": record_audit(
            actor="root", action="model_grant.created", target=acme, tenant=acme,
            after={"model": "model-a"},
        ),
        "globex_account": record_audit(
            actor="mallory@globex.example", action="service_account.created", target=globex,
            tenant=globex, after={"name": "globex-only-bot"},
        ),
        "platform_price": record_audit(
            actor="root", action="model.price_set", target=acme, after={"price": "0.25"},
        ),
    }  # fmt: skip


@pytest.fixture
def root(make_user) -> Client:
    return signed_in(make_user("root", is_superuser=True, is_staff=True))


@pytest.fixture
def acme_admin(module_tenants, make_user) -> Client:
    return signed_in(make_user("ivy", roles={module_tenants["acme"]: "admin"}))


def test_platform_admins_see_every_tenant_and_the_platform(root, log) -> None:
    page = root.get("/audit/")
    body = page.content.decode()
    assert page.status_code == 200 and rows(page) >= 4
    assert "globex-only-bot" in body and "Ivy@acme.example" in body
    assert "<details>" in body and "monthly_limit" in body and "model.price_set" in body


def test_platform_admins_filter_by_tenant(root, log, module_tenants) -> None:
    globex = module_tenants["globex"]
    page = root.get("/audit/", {"tenant": globex.pk})
    assert rows(page) == entries_of(globex) and "globex-only-bot" in page.content.decode()
    assert "Ivy@acme.example" not in page.content.decode()


def test_tenant_admins_see_their_own_tenant_only(acme_admin, log, module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    page = acme_admin.get(f"/t/{acme.slug}/audit/")
    body = page.content.decode()
    assert page.status_code == 200 and rows(page) == entries_of(acme)
    assert "Ivy@acme.example" in body and "model_grant.created" in body
    assert "globex" not in body and "service_account.created" not in body  # not even the select
    assert "model.price_set" not in body  # the platform's own entries are not a tenant's
    for snooping in ({"action": "service_account.created"}, {"actor": "mallory"}):
        found = acme_admin.get(f"/t/{acme.slug}/audit/", snooping)
        assert rows(found) == 0 and "globex-only-bot" not in found.content.decode()
    # A tenant page has no tenant filter: naming another tenant changes nothing.
    named = acme_admin.get(f"/t/{acme.slug}/audit/", {"tenant": globex.pk})
    assert rows(named) == entries_of(acme) and "globex-only-bot" not in named.content.decode()
    assert acme_admin.get(f"/t/{globex.slug}/audit/").status_code == 404


def test_members_and_strangers_are_kept_out(module_tenants, make_user, log) -> None:
    acme = module_tenants["acme"]
    member = signed_in(make_user("max", roles={acme: "member"}))
    # As every page with a role check: the same 404 as a missing page (identity.permissions).
    assert member.get(f"/t/{acme.slug}/audit/").status_code == 404
    assert member.get("/audit/").status_code == 404
    assert Client().get("/audit/").status_code == 302  # to sign in


def test_filters_by_actor_action_and_day(root, log) -> None:
    today = timezone.now().date()
    assert rows(root.get("/audit/", {"actor": "ivy@ACME"})) == 1
    assert rows(root.get("/audit/", {"action": "model_grant.created"})) == 1
    assert rows(root.get("/audit/", {"action": "model_grant.created", "actor": "ivy"})) == 0
    assert rows(root.get("/audit/", {"actor": "root", "since": today, "until": today})) == 2
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    assert rows(root.get("/audit/", {"actor": "root", "since": tomorrow})) == 0
    assert rows(root.get("/audit/", {"actor": "root", "until": yesterday})) == 0
    assert "No entry matches." in root.get("/audit/", {"actor": "nobody"}).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "14/03/2025"}, "From: &#x27;14/03/2025&#x27; is not a date"),
        ({"until": "2025-02-30"}, "To: &#x27;2025-02-30&#x27; is not a date"),
        ({"since": "2025-03-02", "until": "2025-03-01"}, "is after"),
        ({"tenant": "acme"}, "not one of the listed tenants"),
        # "²" is a digit to str.isdigit(), not to int(); the last day would overflow the range.
        ({"tenant": "\u00b2"}, "not one of the listed tenants"),
        ({"tenant": "9" * 25}, "not one of the listed tenants"),
        ({"until": "9999-12-31"}, "To: choose a day up to 9999-12-30"),
    ],
)
def test_bad_filters_are_explained(root, log, query, message) -> None:
    page = root.get("/audit/", query)
    assert page.status_code == 400
    assert message in page.content.decode() and rows(page) == 0


def test_pages_of_fifty_keep_the_filters_at_a_constant_query_count(root, module_tenants) -> None:
    acme = module_tenants["acme"]
    record_audit(actor="bulk", action="bulk.one", target=acme, tenant=acme)
    with CaptureQueriesContext(connection) as one_entry:
        root.get("/audit/", {"actor": "bulk"})
    for _ in range(50):
        record_audit(actor="bulk", action="bulk.one", target=acme, tenant=acme, after={"n": 1})
    with CaptureQueriesContext(connection) as full_page:
        first = root.get("/audit/", {"actor": "bulk"})
    assert len(full_page) == len(one_entry)
    assert rows(first) == 50 and "page=2" in first.content.decode()
    assert "actor=bulk" in first.content.decode()
    second = root.get("/audit/", {"actor": "bulk", "page": 2})
    assert rows(second) == 1


def test_the_log_is_scoped_to_the_tenant_in_context(log, module_tenants) -> None:
    """Read without a tenant, the log refuses (no accidental platform-wide read); in a tenant's
    context it holds that tenant's entries only; `.unscoped()` is the named way to read it all."""
    from django_tenants.utils import tenant_context

    from kernel.scoping import NoTenantInContext

    with pytest.raises(NoTenantInContext):
        AuditEntry.objects.count()
    acme = module_tenants["acme"]
    with tenant_context(acme):
        seen = set(AuditEntry.objects.values_list("pk", flat=True))
    assert {log["acme_budget"].pk, log["acme_grant"].pk} <= seen
    assert seen == set(AuditEntry.objects.unscoped().filter(tenant_id=acme.pk).values_list(
        "pk", flat=True))  # fmt: skip
    assert {entry.pk for entry in log.values()} <= set(
        AuditEntry.objects.unscoped().values_list("pk", flat=True)
    )
