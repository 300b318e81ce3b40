"""Tenants ask, platform administrators decide; grants, expiry, revocation, audit; a business
unit's grant reaches that unit's people (bug #18: the approval said "the tenant can use the model
now", and the model then appeared nowhere for the unit's people; then it was listed for them but
the gateway still refused it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from audit.models import AppendOnly, AuditEntry
from evaluation.selectors import chat_model_names
from identity.services import mint_member_token
from kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from models_catalog.models import AccessRequest, FoundationModel
from models_catalog.selectors import (
    decide,
    model_snapshot,
    requests_of_tenant,
    resolve_model,
    usable_models,
)
from models_catalog.services.access import (
    approve_request,
    grant_model,
    grant_to_scope,
    reject_request,
    request_access,
    revoke_grant,
)
from models_catalog.services.catalog import set_lifecycle
from playground.selectors import chat_models
from tenants.models import BusinessUnit, Membership
from tenants.services import add_business_unit

pytestmark = pytest.mark.django_db

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
LLAMA = "meta.llama3-1-8b-instruct-v1:0"


@pytest.fixture
def acme_admin(module_tenants, make_user):
    acme = module_tenants["acme"]
    return acme, make_user("olga", roles={acme: "admin"})


def test_request_approve_and_use(acme_admin) -> None:
    acme, olga = acme_admin
    request = request_access(
        tenant=acme, model_name=HAIKU, justification="Support bot", requester=olga
    )
    with pytest.raises(NotAllowed, match="may not use"):
        resolve_model(acme, HAIKU, timezone.now())
    approve_request(request_id=request.pk, actor="root", comment="ok")
    assert resolve_model(acme, HAIKU, timezone.now()).entry.name == HAIKU
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("approved", "root")
    entry = AuditEntry.objects.unscoped().get(
        action="access_request.approved", target_id=str(request.pk)
    )
    assert entry.before["state"] == "pending" and entry.after["state"] == "approved"
    assert entry.tenant_slug == acme.slug


def test_approving_twice_is_a_conflict_and_changes_nothing(acme_admin) -> None:
    acme, olga = acme_admin
    request = request_access(tenant=acme, model_name=HAIKU, justification="x", requester=olga)
    approve_request(request_id=request.pk, actor="root")
    with pytest.raises(Conflict, match="already approved by root"):
        approve_request(request_id=request.pk, actor="other-admin")
    with pytest.raises(Conflict):
        reject_request(request_id=request.pk, actor="other-admin", comment="no")
    assert acme.model_grants.count() == 1


def test_reject_needs_a_comment_and_the_requester_sees_it(acme_admin) -> None:
    acme, olga = acme_admin
    request = request_access(tenant=acme, model_name=HAIKU, justification="x", requester=olga)
    with pytest.raises(InvalidInput, match="why"):
        reject_request(request_id=request.pk, actor="root", comment=" ")
    reject_request(request_id=request.pk, actor="root", comment="Use Nova Lite: cheaper")
    mine = requests_of_tenant(acme).get()
    assert (mine.state, mine.decision_comment) == ("rejected", "Use Nova Lite: cheaper")


@pytest.mark.parametrize(
    ("model", "error", "message"),
    [("no-such-model", NotFound, "no model called"), (HAIKU, InvalidInput, "retired")],
)
def test_unknown_or_retired_models_cannot_be_requested(acme_admin, model, error, message) -> None:
    acme, olga = acme_admin
    set_lifecycle(
        model=FoundationModel.objects.get(name=HAIKU),
        deprecated_at=None,
        end_of_life_at=timezone.now() - timedelta(days=1),
        actor="root",
    )
    with pytest.raises(error, match=message):
        request_access(tenant=acme, model_name=model, justification="x", requester=olga)
    assert not AccessRequest.objects.filter(tenant=acme).exists()


def test_duplicate_pending_request_and_existing_access_are_refused(acme_admin) -> None:
    acme, olga = acme_admin
    request = request_access(tenant=acme, model_name=HAIKU, justification="x", requester=olga)
    with pytest.raises(Conflict, match="already waiting"):
        request_access(tenant=acme, model_name=HAIKU, justification="again", requester=olga)
    approve_request(request_id=request.pk, actor="root")
    with pytest.raises(Conflict, match="can already use"):
        request_access(tenant=acme, model_name=HAIKU, justification="again", requester=olga)


def test_business_unit_grant_covers_that_unit_only(acme_admin, module_tenants) -> None:
    acme, olga = acme_admin
    retail = BusinessUnit.objects.get(tenant=acme)
    other_unit = BusinessUnit.objects.create(tenant=acme, name="Wealth")
    request = request_access(
        tenant=acme, model_name=HAIKU, justification="x", requester=olga, business_unit_id=retail.pk
    )
    approve_request(request_id=request.pk, actor="root")
    now = timezone.now()
    assert resolve_model(acme, HAIKU, now, retail).entry.name == HAIKU
    with pytest.raises(NotAllowed):
        resolve_model(acme, HAIKU, now, other_unit)
    with pytest.raises(NotAllowed):
        resolve_model(acme, HAIKU, now)
    globex_unit = BusinessUnit.objects.get(tenant=module_tenants["globex"])
    with pytest.raises(NotFound, match="business unit"):
        request_access(
            tenant=acme,
            model_name="amazon.nova-pro-v1:0",
            justification="x",
            requester=olga,
            business_unit_id=globex_unit.pk,
        )


def test_approval_with_expiry_ends_by_itself(acme_admin) -> None:
    acme, olga = acme_admin
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        request = request_access(
            tenant=acme, model_name=HAIKU, justification="pilot", requester=olga
        )
        approve_request(request_id=request.pk, actor="root", expires_at=start + timedelta(days=30))
    with time_machine.travel(start + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert usable_models(acme, timezone.now()).filter(name=HAIKU).exists()
    with time_machine.travel(start + timedelta(days=30), tick=False):
        assert not usable_models(acme, timezone.now()).filter(name=HAIKU).exists()


def test_platform_grant_to_all_and_revocation_holds_from_the_next_request(module_tenants) -> None:
    grants = grant_model(model_name="amazon.nova-micro-v1:0", tenants=None, actor="root")
    tenants_granted = {grant.tenant for grant in grants}
    assert set(module_tenants.values()) <= tenants_granted
    acme_grant = next(g for g in grants if g.tenant == module_tenants["acme"])
    revoke_grant(grant_id=acme_grant.pk, actor="root")
    now = timezone.now()
    with pytest.raises(NotAllowed):
        resolve_model(module_tenants["acme"], "amazon.nova-micro-v1:0", now)
    assert resolve_model(module_tenants["globex"], "amazon.nova-micro-v1:0", now)
    with pytest.raises(Conflict, match="already revoked"):
        revoke_grant(grant_id=acme_grant.pk, actor="root")


def test_requests_are_visible_to_their_own_tenant_only(acme_admin, module_tenants) -> None:
    acme, olga = acme_admin
    request_access(tenant=acme, model_name=HAIKU, justification="x", requester=olga)
    assert requests_of_tenant(acme).count() == 1
    assert requests_of_tenant(module_tenants["globex"]).count() == 0


def test_audit_log_is_append_only(acme_admin) -> None:
    acme, olga = acme_admin
    request_access(tenant=acme, model_name=HAIKU, justification="x", requester=olga)
    entry = AuditEntry.objects.unscoped().get(action="access_request.created")
    entry.actor = "someone else"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.unscoped().filter(pk=entry.pk).update(actor="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.unscoped().all().delete()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def yours_to_use(page: str) -> str:
    return page.split("<h2>Yours to use</h2>", 1)[1].split("</table>", 1)[0]


def test_a_units_approval_reaches_that_units_people_only(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    wealth = add_business_unit(tenant=acme, name="Wealth Management", actor="t")
    operations = acme.business_units.get(name="Operations")
    admin = signed_in(make_user("ada", roles={acme: "admin"}))
    asked = admin.post(
        f"/t/{acme.slug}/models/",
        {"model": LLAMA, "business_unit": wealth.pk, "justification": "advisers' notes"},
        follow=True,
    )
    assert "Requested" in asked.content.decode()
    request = AccessRequest.objects.get(tenant=acme, model__name=LLAMA)

    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    done = root.post(
        "/catalog/requests/", {"request_id": request.pk, "decision": "approve"}, follow=True
    ).content.decode()
    assert f"Approved: people of Wealth Management in {acme.name} can use {LLAMA} now." in done
    assert "the tenant can use" not in done

    adviser = make_user("wren", roles={acme: "member"})
    Membership.objects.filter(user=adviser, tenant=acme).update(business_unit=wealth)
    helper = make_user("hal", roles={acme: "member"})  # Wealth as an extra unit
    Membership.objects.get(user=helper, tenant=acme).extra_business_units.add(wealth)
    outsider = make_user("otto", roles={acme: "member"})
    Membership.objects.filter(user=outsider, tenant=acme).update(business_unit=operations)

    for person in (adviser, helper):
        assert LLAMA in yours_to_use(
            signed_in(person).get(f"/t/{acme.slug}/models/").content.decode()
        )
    outsiders_page = signed_in(outsider).get(f"/t/{acme.slug}/models/").content.decode()
    assert LLAMA not in yours_to_use(outsiders_page)
    assert "Wealth Management" in outsiders_page  # listed as the unit's, not as theirs

    # The playground's list (and the gateway's selectors) for the unit's people, not others.
    assert LLAMA in [choice.value for choice in chat_models(acme, {wealth.pk})]
    assert LLAMA not in [choice.value for choice in chat_models(acme, {operations.pk})]
    assert LLAMA in chat_model_names(acme, {wealth.pk})  # the evaluations page's choices
    assert LLAMA not in chat_model_names(acme, {operations.pk})
    now = timezone.now()
    assert usable_models(acme, now, unit_ids={wealth.pk}).filter(name=LLAMA).exists()
    assert not usable_models(acme, now).filter(name=LLAMA).exists()
    snapshot = model_snapshot(acme, LLAMA)
    assert decide(snapshot, now, unit_ids={operations.pk, wealth.pk}).grant.business_unit == wealth

    # The gateway: listed and resolvable for the unit's people (default or extra unit), 403
    # for the others.
    def gateway(person, path: str):  # type: ignore[no-untyped-def]
        token = mint_member_token(user=person, tenant=acme)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/t/{acme.slug}/v1/{path}")

    for person in (adviser, helper):
        assert gateway(person, f"models/{LLAMA}").json()["id"] == LLAMA
        assert LLAMA in [model["id"] for model in gateway(person, "models").json()["data"]]
    refused = gateway(outsider, f"models/{LLAMA}")
    assert refused.status_code == 403 and "may not use" in refused.json()["error"]["message"]
    assert LLAMA not in [model["id"] for model in gateway(outsider, "models").json()["data"]]


def test_the_tenant_catalogue_api_marks_a_units_model_usable_for_its_people(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    risk = add_business_unit(tenant=acme, name="Risk", actor="t")
    grant_to_scope(
        model_id=FoundationModel.objects.get(name=LLAMA).pk, tenant_id=acme.pk,
        business_unit_id=risk.pk, actor="root",
    )  # fmt: skip
    analyst = make_user("rae", roles={acme: "member"})
    Membership.objects.filter(user=analyst, tenant=acme).update(business_unit=risk)
    other = make_user("ned", roles={acme: "member"})

    def usable(user) -> bool:
        token = mint_member_token(user=user, tenant=acme)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        listed = client.get(f"/t/{acme.slug}/v1/catalog/models").json()
        return next(item["usable"] for item in listed if item["name"] == LLAMA)

    assert usable(analyst) is True
    assert usable(other) is False
