"""The knowledge-base pages: administrators create, upload (plain form or fetch), search and
delete; members read and search; another tenant's knowledge base is a 404 under one's own URL;
a pooled knowledge base shared read-only offers no upload."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from knowledge.models import Document, KnowledgeBase
from knowledge.services import share_knowledge_base
from knowledge.stores import Located, knowledge_bases_of, opened
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.knowledge.conftest import EMBEDDINGS, knowledge_base

LOGIN = "/oidc/authenticate/"


def signed_in(make_user, tenant: Tenant, name: str, role: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(name, roles={tenant: role}))
    return client


def page_of(located: Located) -> str:
    return f"/t/{located.tenant.slug}/knowledge/{located.kb.pk}/"


def wait_until_done(client: Client, page: str, count: int) -> dict[str, dict]:
    deadline = time.monotonic() + 120
    while True:
        state = client.get(f"{page}documents.json").json()
        if state["done"] and len(state["documents"]) == count:
            return {d["filename"]: d for d in state["documents"]}
        assert time.monotonic() < deadline, state
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_an_admin_creates_uploads_searches_and_deletes(
    make_tenant, make_user, celery_worker, handbook
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=EMBEDDINGS, tenants=[acme], actor="test")
    admin = signed_in(make_user, acme, "ana", "admin")
    listing = admin.get(f"/t/{acme.slug}/knowledge/")
    assert listing.status_code == 200 and EMBEDDINGS in listing.content.decode()

    created = admin.post(f"/t/{acme.slug}/knowledge/", {
        "name": "Handbook", "isolation": "siloed", "embedding_model": EMBEDDINGS,
        "chunking": "recursive", "chunk_tokens": "160",
    })  # fmt: skip
    (located,) = knowledge_bases_of(acme)
    page = page_of(located)
    assert created.status_code == 302 and created["Location"] == page
    assert located.kb.chunking["chunk_tokens"] == 160

    # Without JavaScript: a multipart POST, then the page with what was queued and refused.
    uploaded = admin.post(page, {"tags": "policy, volunteers", "file": [
        SimpleUploadedFile("handbook.md", handbook), SimpleUploadedFile("virus.exe", b"MZ"),
    ]}, follow=True)  # fmt: skip
    shown = uploaded.content.decode()
    assert (
        "Queued handbook.md" in shown and "virus.exe: .exe files are not supported" in shown
    )
    # With JavaScript: the same form by fetch, answered in JSON.
    fetched = admin.post(page, {"file": [SimpleUploadedFile("scan.pdf", b"%PDF-1.4 broken")]},
                         HTTP_ACCEPT="application/json")  # fmt: skip
    assert fetched.status_code == 202
    assert fetched.json() == {"accepted": ["scan.pdf"], "refusals": []}

    states = wait_until_done(admin, page, 2)
    assert states["handbook.md"]["status"] == "ready" and states["handbook.md"]["progress"] == 100
    assert states["handbook.md"]["tags"] == ["policy", "volunteers"]
    assert states["scan.pdf"]["status_label"] == "Failed" and "PDF" in states["scan.pdf"]["failure"]
    detail = admin.get(page).content.decode()
    assert (
        detail.count('data-testid="document-row"') == 2 and states["scan.pdf"]["failure"] in detail
    )

    found = admin.get(f"{page}search", {"query": "How many items may members borrow?",
                                        "mode": "hybrid"})  # fmt: skip
    assert found.status_code == 200
    assert "five items" in found.content.decode()
    empty = admin.get(f"{page}search", {"query": " ", "mode": "vector"})
    assert empty.status_code == 400 and "query: ask something" in empty.content.decode()

    scan = states["scan.pdf"]["id"]
    assert admin.post(f"{page}documents/{scan}/delete").status_code == 302
    assert [d["filename"] for d in admin.get(f"{page}documents.json").json()["documents"]] == [
        "handbook.md"
    ]
    assert admin.post(f"{page}documents/{scan}/delete").status_code == 404  # gone already
    gone = admin.post(page, {"action": "delete"}, follow=True)
    assert "Deleted Handbook" in gone.content.decode()
    assert knowledge_bases_of(acme) == []


@pytest.mark.django_db
def test_creating_explains_what_is_wrong(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    grant_model(model_name=EMBEDDINGS, tenants=[acme], actor="test")
    admin = signed_in(make_user, acme, "ana", "admin")
    form = {"name": "", "isolation": "siloed", "embedding_model": EMBEDDINGS, "chunking": "fixed"}
    nameless = admin.post(f"/t/{acme.slug}/knowledge/", form)
    assert (
        nameless.status_code == 400
        and "give the knowledge base a name" in nameless.content.decode()
    )
    too_big = admin.post(
        f"/t/{acme.slug}/knowledge/", {**form, "name": "FAQ", "chunk_tokens": "9999"}
    )
    assert too_big.status_code == 400 and "chunk_tokens: must be from" in too_big.content.decode()
    assert 'value="FAQ"' in too_big.content.decode()  # what was typed is kept
    assert knowledge_bases_of(acme) == []


@pytest.mark.django_db
def test_members_read_and_search_but_change_nothing(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    located = knowledge_base(acme)
    page = page_of(located)
    member = signed_in(make_user, acme, "mo", "member")
    listing = member.get(f"/t/{acme.slug}/knowledge/").content.decode()
    assert "Handbook" in listing and "New knowledge base" not in listing
    detail = member.get(page)
    assert detail.status_code == 200
    assert "Drop files here" not in detail.content.decode()
    assert "Delete Handbook" not in detail.content.decode()
    assert member.get(f"{page}search", {"query": "late fees"}).status_code == 200
    refused = [
        member.post(f"/t/{acme.slug}/knowledge/", {"name": "Mine", "isolation": "siloed",
                                                   "embedding_model": EMBEDDINGS}),
        member.post(page, {"file": [SimpleUploadedFile("notes.txt", b"Keep calm.")]}),
        member.post(page, {"action": "delete"}),
        member.post(f"{page}documents/00000000-0000-0000-0000-000000000000/delete"),
    ]  # fmt: skip
    assert [response.status_code for response in refused] == [404] * 4
    assert len(knowledge_bases_of(acme)) == 1
    with opened(located):
        assert not Document.objects.exists()


@pytest.mark.django_db
def test_another_tenants_knowledge_base_is_not_found(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    theirs = knowledge_base(globex, name="Secrets")
    admin = signed_in(make_user, acme, "ana", "admin")
    under_ours = f"/t/{acme.slug}/knowledge/{theirs.kb.pk}/"
    for response in (
        admin.get(under_ours),
        admin.get(f"{under_ours}documents.json"),
        admin.get(f"{under_ours}search", {"query": "secrets"}),
        admin.post(under_ours, {"file": [SimpleUploadedFile("notes.txt", b"Keep calm.")]}),
        admin.post(under_ours, {"action": "delete"}),
        admin.get(f"/t/{acme.slug}/knowledge/not-a-uuid/"),
        admin.get(f"/t/{globex.slug}/knowledge/"),  # not a member there
        admin.get(page_of(theirs)),
    ):
        assert response.status_code == 404
    assert "Secrets" not in admin.get(f"/t/{acme.slug}/knowledge/").content.decode()
    assert [located.kb.name for located in knowledge_bases_of(globex)] == ["Secrets"]


@pytest.mark.django_db
def test_a_pooled_knowledge_base_shared_read_only_offers_no_upload(
    module_tenants, make_user
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    shared = knowledge_base(globex, isolation="pooled", name="Platform FAQ")
    share_knowledge_base(located=shared, with_tenant=acme, actor="test")
    admin = signed_in(make_user, acme, "ana", "admin")
    page = f"/t/{acme.slug}/knowledge/{shared.kb.pk}/"
    detail = admin.get(page).content.decode()
    assert "Platform FAQ" in detail and "shared with you read-only" in detail
    assert "Drop files here" not in detail and "Delete Platform FAQ" not in detail
    forged = admin.post(page, {"file": [SimpleUploadedFile("notes.txt", b"Keep calm.")]})
    assert forged.status_code == 400 and "read-only" in forged.content.decode()
    assert admin.post(page, {"action": "delete"}).status_code == 400
    with opened(shared):
        assert KnowledgeBase.objects.filter(pk=shared.kb.pk).exists()


@pytest.mark.django_db
def test_the_state_endpoint_costs_the_same_for_any_number_of_documents(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    located = knowledge_base(acme)
    admin = signed_in(make_user, acme, "ana", "admin")
    url = f"{page_of(located)}documents.json"

    def add(count: int) -> None:
        with opened(located):
            for n in range(count):
                Document.objects.create(
                    knowledge_base=located.kb, tenant_id=acme.pk, filename=f"{n}.txt", size=1,
                    sha256=uuid.uuid4().hex * 2, content=b"x", status="embedding", chunks_total=4,
                    chunks_embedded=n % 4,
                )  # fmt: skip

    add(1)
    admin.get(url)  # warm the per-process caches (tenant, role)
    with CaptureQueriesContext(connection) as one:
        assert admin.get(url).json()["done"] is False
    add(9)
    with CaptureQueriesContext(connection) as ten:
        documents = admin.get(url).json()["documents"]
    assert len(documents) == 10 and len(ten) == len(one)
    assert {d["status_label"] for d in documents} == {"Embedding"}


@pytest.mark.django_db
def test_signed_out_people_are_sent_to_sign_in(client, module_tenants) -> None:
    response = client.get(f"/t/{module_tenants['acme'].slug}/knowledge/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
