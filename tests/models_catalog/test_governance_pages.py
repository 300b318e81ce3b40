"""The platform's governance pages (#18): providers (with a real connection test), models
(capabilities, lifecycle, prices with history) and the tenant x model grant matrix; each change
audited with a readable target and its diff, and none of it reachable by a tenant's people."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from kernel.errors import InvalidInput
from models_catalog.models import AccessRequest, FoundationModel, ModelGrant, Provider
from models_catalog.services.access import grant_model, request_access
from tenants.services import add_business_unit, archive_business_unit

pytestmark = pytest.mark.django_db

KEY = "sk-loopback-test"
LLAMA = "meta.llama3-1-8b-instruct-v1:0"
NEW_PLATFORM_PAGES = (
    "/catalog/providers/",
    "/catalog/providers/{provider}/",
    "/catalog/providers/{provider}/test/",
    "/catalog/models/new/",
    "/catalog/models/{model}/",
    "/catalog/grants/",
)


class ModelList(BaseHTTPRequestHandler):
    """An OpenAI-compatible server's GET /v1/models, behind a bearer key."""

    def do_GET(self) -> None:
        if (
            self.path == "/foundation-models"
        ):  # Bedrock's ListFoundationModels (signed; not checked)
            self._json({"modelSummaries": [{"modelId": "anthropic.claude-3-haiku"}]})
            return
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self.send_response(401)
            self.end_headers()
            return
        self._json({"object": "list", "data": [{"id": "llama-3-8b"}, {"id": "qwen-7b"}]})

    def _json(self, data: dict[str, object]) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def llm_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ModelList)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def root(make_user) -> Client:
    client = Client()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


def last_entry(action: str) -> AuditEntry:
    entry = AuditEntry.objects.unscoped().filter(action=action).order_by("-id").first()
    assert entry is not None, action
    return entry


def test_providers_are_added_edited_and_their_connection_tested(
    root, llm_server, monkeypatch
) -> None:
    added = root.post(
        "/catalog/providers/",
        {"name": "vllm-lab", "kind": "openai_compatible", "endpoint_url": llm_server,
         "credentials_env": "VLLM_LAB", "region": ""},
        follow=True,
    )  # fmt: skip
    assert "Provider vllm-lab added" in added.content.decode()
    provider = Provider.objects.get(name="vllm-lab")
    created = last_entry("provider.created")
    assert created.target_label == "provider vllm-lab (OpenAI-compatible server)"
    assert created.actor == "root"

    test_url = f"/catalog/providers/{provider.pk}/test/"
    monkeypatch.delenv("VLLM_LAB_API_KEY", raising=False)
    unset = root.post(test_url, follow=True).content.decode()
    assert "Not configured: set VLLM_LAB_API_KEY" in unset
    monkeypatch.setenv("VLLM_LAB_API_KEY", "wrong")
    assert "refused the credentials (401)" in root.post(test_url, follow=True).content.decode()
    monkeypatch.setenv("VLLM_LAB_API_KEY", KEY)
    ok = root.post(test_url, follow=True).content.decode()
    assert "Connected: 2 models listed: llama-3-8b, qwen-7b." in ok

    edited = root.post(
        f"/catalog/providers/{provider.pk}/",
        {"name": "vllm-lab", "kind": "openai_compatible", "endpoint_url": "http://127.0.0.1:9/v1",
         "credentials_env": "VLLM_LAB", "region": ""},
        follow=True,
    )  # fmt: skip
    assert "Provider vllm-lab saved" in edited.content.decode()
    changed = last_entry("provider.changed")
    assert changed.before == {"endpoint_url": llm_server}
    assert changed.after == {"endpoint_url": "http://127.0.0.1:9/v1"}
    assert "Could not reach" in root.post(test_url, follow=True).content.decode()

    invalid = root.post(
        f"/catalog/providers/{provider.pk}/",
        {"name": "vllm-lab", "kind": "openai_compatible", "credentials_env": "sk-secret"},
        follow=True,
    ).content.decode()
    assert "Credentials env" in invalid and "never a secret" in invalid
    assert AuditEntry.objects.unscoped().filter(action="provider.changed").count() == 1

    log = root.get("/audit/", {"action": "provider.changed"}).content.decode()
    assert "provider vllm-lab (OpenAI-compatible server)" in log
    diff = log.split('data-testid="audit-diff">', 1)[1].split("</ul>", 1)[0]
    assert "endpoint_url" in diff and llm_server in diff and "http://127.0.0.1:9/v1" in diff


def test_a_bedrock_providers_connection_is_tested_with_its_credentials(
    root, llm_server, monkeypatch
) -> None:
    provider = Provider.objects.create(
        name="bedrock-lab", kind="bedrock", region="eu-west-1",
        endpoint_url=llm_server.removesuffix("/v1"), credentials_env="BEDROCK_LAB",
    )  # fmt: skip
    url = f"/catalog/providers/{provider.pk}/test/"
    monkeypatch.delenv("BEDROCK_LAB_ACCESS_KEY_ID", raising=False)
    unset = root.post(url, follow=True).content.decode()
    assert "set BEDROCK_LAB_ACCESS_KEY_ID and BEDROCK_LAB_SECRET_ACCESS_KEY" in unset
    monkeypatch.setenv("BEDROCK_LAB_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("BEDROCK_LAB_SECRET_ACCESS_KEY", "not-a-real-secret")
    ok = root.post(url, follow=True).content.decode()
    assert "Connected: 1 model listed: anthropic.claude-3-haiku." in ok


def test_models_are_added_and_edited_and_prices_keep_their_history(root) -> None:
    bedrock = Provider.objects.get(name="bedrock")
    form = {
        "action": "save", "name": "anthropic.claude-test", "provider": bedrock.pk,
        "provider_model_id": "anthropic.claude-test-v1:0", "display_name": "Claude Test",
        "description": "A small, fast model.", "modality": "chat", "context_window": 200000,
        "max_output_tokens": 4096, "supports_tools": "on", "optional_parameters": ["user"],
        "deprecated_at": "", "end_of_life_at": "",
    }  # fmt: skip
    added = root.post("/catalog/models/new/", form, follow=True).content.decode()
    assert "anthropic.claude-test added" in added
    model = FoundationModel.objects.get(name="anthropic.claude-test")
    assert model.supports_tools and model.optional_parameters == ["user"]
    assert last_entry("model.created").target_label == "model Claude Test (bedrock)"

    url = f"/catalog/models/{model.pk}/"
    root.post(url, {**form, "supports_image_input": "on", "end_of_life_at": "2031-01-01T00:00"})
    changed = last_entry("model.changed")
    assert changed.before == {"supports_image_input": False, "end_of_life_at": None}
    assert changed.after == {
        "supports_image_input": True,
        "end_of_life_at": "2031-01-01T00:00:00+00:00",
    }
    backwards = root.post(
        url, {**form, "deprecated_at": "2032-01-01T00:00", "end_of_life_at": "2031-01-01T00:00"}
    )
    assert backwards.status_code == 200  # refused, shown again with the reason
    assert FoundationModel.objects.get(pk=model.pk).deprecated_at is None

    for day, price in (("2025-01-01", "0.25"), ("2026-06-01", "0.20")):
        root.post(
            url,
            {"action": "price", "currency": "USD", "input_per_million": price,
             "output_per_million": "1.25", "effective_from": day, "source": "list"},
        )  # fmt: skip
    assert model.prices.count() == 2  # the old price is kept, the new one added
    page = root.get(url).content.decode()
    rows = page.split('data-testid="price-row"')[1:]
    assert len(rows) == 2
    assert "2026-06-01" in rows[0] and "in force" in rows[0]
    assert "2025-01-01" in rows[1] and "past" in rows[1]
    twice = root.post(
        url,
        {"action": "price", "currency": "USD", "input_per_million": "1",
         "output_per_million": "1", "effective_from": "2026-06-01"},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "already has a price taking effect at that instant" in twice
    price = last_entry("model.price_set")
    assert price.after["input_per_million"] == "0.200000"
    assert price.target_label == "model Claude Test (bedrock)"


def cell(page: str, row: str, model: str) -> str:
    """The matrix cell of `row` ("acme-slug" or "acme-slug / Unit") and `model`, as HTML."""
    found = page.split(f'data-row="{row}"', 1)[1].split("</tr>", 1)[0]
    return found.split(f'data-model="{model}"', 1)[1].split("</td>", 1)[0]


def test_the_grant_matrix_approves_revokes_and_grants_in_place(
    root, module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    wealth = add_business_unit(tenant=acme, name="Wealth Management", actor="t")
    asked = request_access(
        tenant=acme, model_name=LLAMA, justification="advice", requester=None, actor="ada",
        business_unit_id=wealth.pk,
    )  # fmt: skip
    assert last_entry("access_request.created").target_label == (
        f"access request: {acme.slug} / Wealth Management → {LLAMA}"
    )
    unit_row = f"{acme.slug} / Wealth Management"
    page = root.get("/catalog/grants/").content.decode()
    assert 'data-state="requested"' in cell(page, unit_row, LLAMA)
    assert 'data-state="none"' in cell(page, acme.slug, LLAMA)

    approved = root.post(
        "/catalog/grants/", {"action": "approve", "request_id": asked.pk}, follow=True
    ).content.decode()
    assert f"people of Wealth Management in {acme.name} can use {LLAMA} now" in approved
    assert 'data-state="granted"' in cell(approved, unit_row, LLAMA)
    approval = last_entry("access_request.approved")
    assert approval.before["state"] == "pending" and approval.after["state"] == "approved"

    grant = ModelGrant.objects.get(tenant=acme, business_unit=wealth, model__name=LLAMA)
    revoked = root.post(
        "/catalog/grants/", {"action": "revoke", "grant_id": grant.pk}, follow=True
    ).content.decode()
    assert "can no longer use" in revoked
    assert 'data-state="none"' in cell(revoked, unit_row, LLAMA)
    assert last_entry("model_grant.revoked").target_label == (
        f"grant: {acme.slug} / Wealth Management → {LLAMA}"
    )

    whole = root.post(
        "/catalog/grants/",
        {"action": "grant", "tenant_id": acme.pk, "model_id": grant.model_id},
        follow=True,
    ).content.decode()
    assert f"everyone in {acme.name} can use it now" in whole
    assert 'data-state="granted"' in cell(whole, acme.slug, LLAMA)
    assert 'data-state="granted to the whole tenant"' in cell(whole, unit_row, LLAMA)
    again = root.post(
        "/catalog/grants/",
        {"action": "grant", "tenant_id": acme.pk, "model_id": grant.model_id},
        follow=True,
    ).content.decode()
    assert "already granted there" in again

    log = root.get("/audit/", {"action": "model_grant.created"}).content.decode()
    assert f"grant: {acme.slug} → {LLAMA}" in log
    assert "models_catalog.ModelGrant #" not in log


def test_older_unlabelled_audit_entries_are_named_readably(root, module_tenants) -> None:
    acme = module_tenants["acme"]
    asked = request_access(
        tenant=acme, model_name=LLAMA, justification="x", requester=None, actor="ada"
    )
    AuditEntry(
        actor="old", action="access_request.legacy", target_type="models_catalog.AccessRequest",
        target_id=str(asked.pk), before={"state": "pending"}, after={"state": "approved"},
    ).save()  # fmt: skip
    AuditEntry(
        actor="old", action="access_request.legacy", target_type="models_catalog.AccessRequest",
        target_id=str(asked.pk), target_label=f"Access request '{acme.slug} asks for x (pending)'",
    ).save()  # fmt: skip
    log = root.get("/audit/", {"action": "access_request.legacy"}).content.decode()
    targets = [part.split("</td>", 1)[0] for part in log.split('data-testid="audit-target">')[1:]]
    assert targets == [f"access request: {acme.slug} → {LLAMA}"] * 2
    assert "models_catalog.AccessRequest #" not in log and "(pending)" not in log
    assert "<del>pending</del> → <ins>approved</ins>" in log


def test_tenant_people_are_refused_the_platform_pages(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    provider = Provider.objects.get(name="bedrock")
    model = FoundationModel.objects.get(name=LLAMA)
    audited = AuditEntry.objects.unscoped().count()
    grants = ModelGrant.objects.count()
    for name, role in (("tam", "admin"), ("tim", "member")):
        client = Client()
        client.force_login(make_user(name, roles={acme: role}))
        for path in NEW_PLATFORM_PAGES:
            url = path.format(provider=provider.pk, model=model.pk)
            for answer in (
                client.get(url),
                client.post(url, {"action": "grant", "tenant_id": acme.pk, "model_id": model.pk,
                                  "name": "x", "kind": "local"}),
            ):  # fmt: skip
                assert answer.status_code in (403, 405), (url, answer.status_code)
                if answer.status_code == 403:
                    assert "Not allowed" in answer.content.decode()
    for path in NEW_PLATFORM_PAGES:
        url = path.format(provider=provider.pk, model=model.pk)
        assert Client().get(url).status_code in (302, 405)
    assert AuditEntry.objects.unscoped().count() == audited
    assert ModelGrant.objects.count() == grants
    assert Provider.objects.filter(name="x").count() == 0


def test_a_tenant_sees_only_its_own_requests_and_unit_grants(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    secret_unit = add_business_unit(tenant=acme, name="Project Falcon", actor="t")
    request_access(
        tenant=acme, model_name=LLAMA, justification="falcon due diligence", requester=None,
        actor="ada", business_unit_id=secret_unit.pk,
    )  # fmt: skip
    other = Client()
    other.force_login(make_user("gil", roles={globex: "admin"}))
    page = other.get(f"/t/{globex.slug}/models/").content.decode()
    assert "Project Falcon" not in page and "falcon due diligence" not in page
    assert other.get(f"/t/{acme.slug}/models/").status_code == 404
    # globex cannot ask for acme's unit either: the same answer as a unit that does not exist
    answer = other.post(
        f"/t/{globex.slug}/models/",
        {"model": LLAMA, "business_unit": secret_unit.pk, "justification": "x"},
        follow=True,
    ).content.decode()
    assert "No such business unit in this tenant." in answer
    assert not AccessRequest.objects.filter(tenant=globex).exists()


def test_the_request_form_lists_models_with_prices_capabilities_and_card(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    model = FoundationModel.objects.get(name=LLAMA)
    model.description = "Meta's small open model, good for notes."
    model.save(update_fields=["description"])
    client = Client()
    client.force_login(make_user("ada", roles={acme: "admin"}))
    page = client.get(f"/t/{acme.slug}/models/").content.decode()
    assert '<select name="model"' not in page
    choice = page.split(f'value="{LLAMA}"', 1)[1].split('data-testid="model-choice"', 1)[0]
    assert model.display_name in page
    assert "Provider bedrock" in choice and "/ 1M tokens" in choice
    assert "Can do:" in choice
    assert "Meta&#x27;s small open model, good for notes." in choice


def test_the_grant_matrix_costs_the_same_queries_however_many_rows(root, module_tenants) -> None:
    acme = module_tenants["acme"]
    with CaptureQueriesContext(connection) as before:
        assert root.get("/catalog/grants/").status_code == 200
    unit = add_business_unit(tenant=acme, name="Treasury", actor="t")
    request_access(
        tenant=acme, model_name=LLAMA, justification="x", requester=None, actor="ada",
        business_unit_id=unit.pk,
    )  # fmt: skip
    grant_model(model_name=LLAMA, tenants=[module_tenants["globex"]], actor="root")
    with CaptureQueriesContext(connection) as after:
        page = root.get("/catalog/grants/").content.decode()
    assert 'data-state="requested"' in cell(page, f"{acme.slug} / Treasury", LLAMA)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_archived_units_leave_the_matrix_and_cannot_be_granted(root, module_tenants) -> None:
    acme = module_tenants["acme"]
    unit = archive_business_unit(unit=add_business_unit(tenant=acme, name="Legacy", actor="t"))
    page = root.get("/catalog/grants/").content.decode()
    assert f'data-row="{acme.slug} / Legacy"' not in page
    assert f'data-row="{acme.slug} / Operations"' in page
    refused = root.post(
        "/catalog/grants/",
        {"action": "grant", "tenant_id": acme.pk, "business_unit_id": unit.pk,
         "model_id": FoundationModel.objects.get(name=LLAMA).pk},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Legacy is archived" in refused
    assert not ModelGrant.objects.filter(business_unit=unit).exists()
    with pytest.raises(InvalidInput, match="Legacy is archived"):
        request_access(
            tenant=acme, model_name=LLAMA, justification="x", requester=None, actor="ada",
            business_unit_id=unit.pk,
        )  # fmt: skip
