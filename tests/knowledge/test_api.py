"""The knowledge-base API end to end: create, upload several files (each accepted or refused on
its own), watch the states, retrieve, answer with citations through the local chat model, the
answer cache, and other tenants kept out."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from identity.services import mint_member_token
from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage
from models_catalog.services.access import grant_model
from tests.knowledge.conftest import EMBEDDINGS

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "local/gemma-3-270m"


def api(user, tenant) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {mint_member_token(user=user, tenant=tenant)}")


def wait_ready(client: Client, base: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 120
    while True:
        documents = client.get(f"{base}/documents").json()["data"]
        if len(documents) == count and all(d["status"] in ("ready", "failed") for d in documents):
            return documents
        assert time.monotonic() < deadline, documents
        time.sleep(0.3)


def test_the_api_end_to_end(make_tenant, make_user, celery_worker, handbook) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    grant_model(model_name=EMBEDDINGS, tenants=[acme], actor="test")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    admin = api(make_user("ana", roles={acme: "admin"}), acme)
    member = api(make_user("mo", roles={acme: "member"}), acme)
    spy = api(make_user("eve", roles={globex: "admin"}), globex)

    created = admin.post(f"/t/{acme.slug}/v1/knowledge-bases", {
        "name": "Handbook", "isolation": "siloed", "embedding_model": EMBEDDINGS,
        "chunking": {"kind": "recursive", "chunk_tokens": 160},
    }, content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.json()
    kb = created.json()
    base = f"/t/{acme.slug}/v1/knowledge-bases/{kb['id']}"
    refused = member.post(f"/t/{acme.slug}/v1/knowledge-bases", {"name": "x"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 403

    upload = admin.post(f"{base}/documents", {"tags": "policy, volunteers", "file": [
        SimpleUploadedFile("handbook.md", handbook),
        SimpleUploadedFile("virus.exe", b"MZ..."),
        SimpleUploadedFile("scan.pdf", b"%PDF-1.4 broken"),
        SimpleUploadedFile(".txt", b"a name that is all extension"),
    ]})  # fmt: skip
    assert upload.status_code == 202
    outcome = {item["filename"]: item for item in upload.json()["data"]}
    assert outcome["handbook.md"]["accepted"] and outcome["scan.pdf"]["accepted"]
    assert not outcome["virus.exe"]["accepted"]
    assert "not supported" in outcome["virus.exe"]["refusal"]
    # Refused at once, as the extraction would have: its name has no extension
    assert "no recognisable extension" in outcome[".txt"]["refusal"]
    states = {d["filename"]: d for d in wait_ready(admin, base, 2)}
    members_upload = member.post(f"{base}/documents", {"file": [SimpleUploadedFile("x.txt", b"x")]})
    assert members_upload.status_code == 403  # members read and search; admins change
    members_delete = member.delete(f"{base}/documents/{states['handbook.md']['id']}")
    assert members_delete.status_code == 403
    assert states["handbook.md"]["status"] == "ready"
    assert states["handbook.md"]["progress"] == 100
    assert states["handbook.md"]["tags"] == ["policy", "volunteers"]
    assert states["scan.pdf"]["status"] == "failed" and states["scan.pdf"]["failure"]

    hits = member.post(f"{base}/retrieve", {"query": "How many items may members borrow?",
                                            "top_k": 3, "mode": "hybrid",
                                            "filters": {"tags": ["policy"]}},
                       content_type="application/json").json()["data"]  # fmt: skip
    assert "five items" in hits[0]["text"] and hits[0]["filename"] == "handbook.md"
    bad = member.post(f"{base}/retrieve", {"query": "", "top_k": 99},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("query:")

    question = {"query": "Do you charge late fees?", "model": CHAT, "max_tokens": 24}
    first = member.post(f"{base}/retrieve-and-generate", question,
                        content_type="application/json").json()  # fmt: skip
    assert first["answer"] and first["cached"] is None
    assert any("late fees" in c["text"] for c in first["citations"])
    assert {"document_id", "chunk_index", "score", "filename"} <= set(first["citations"][0])
    again = member.post(f"{base}/retrieve-and-generate", question,
                        content_type="application/json").json()  # fmt: skip
    assert again["cached"] == "exact" and again["answer"] == first["answer"]
    close = member.post(f"{base}/retrieve-and-generate",
                        {**question, "query": "Do you charge late fees"},
                        content_type="application/json").json()  # fmt: skip
    assert close["cached"] == "semantic"
    record_queued_usage()
    operations = set(UsageEvent.objects.unscoped().filter(tenant_id=acme.pk)
                     .values_list("operation", flat=True))  # fmt: skip
    assert operations == {"chat", "embeddings"}  # ingestion and answers are metered

    # A new document changes the knowledge base: its cached answers are dropped.
    admin.post(f"{base}/documents", {"file": [SimpleUploadedFile("fees.txt", b"Fees: none.")]})
    wait_ready(admin, base, 3)
    fresh = member.post(f"{base}/retrieve-and-generate", question,
                        content_type="application/json").json()  # fmt: skip
    assert fresh["cached"] is None

    # Another tenant: the same URLs under its own slug know nothing of this knowledge base.
    foreign = f"/t/{globex.slug}/v1/knowledge-bases/{kb['id']}"
    for path in ("", "/documents", "/retrieve"):
        answer = spy.post(f"{foreign}{path}", {"query": "fees"}, content_type="application/json")
        assert answer.status_code in (404, 405)
        assert spy.get(f"{foreign}{path}").status_code in (404, 405)
    assert spy.get(f"/t/{globex.slug}/v1/knowledge-bases").json()["data"] == []
    document_id = states["handbook.md"]["id"]
    for path in (f"/documents/{document_id}", "/retrieve-and-generate"):
        assert spy.get(f"{foreign}{path}").status_code in (404, 405)
        assert spy.post(f"{foreign}{path}", question,
                        content_type="application/json").status_code in (404, 405)  # fmt: skip
    assert spy.delete(f"{foreign}/documents/{document_id}").status_code == 404
    assert spy.delete(foreign).status_code == 404
    assert admin.get(f"{base}/documents/{document_id}").json()["status"] == "ready"
    assert spy.get(f"{base}").status_code == 403  # acme's URL with globex's token
