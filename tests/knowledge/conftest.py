"""Knowledge-base tests: tenants with the local embedding model, a real Celery worker, and the
handbook fixture."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from identity.principals import Principal
from identity.services import mint_member_token
from knowledge.models import Document
from knowledge.services import Upload, create_knowledge_base, upload_documents
from knowledge.stores import Located, opened
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.gateway.upstreams import Upstream, upstream_model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EMBEDDINGS = "local/all-minilm-l6-v2"


@pytest.fixture
def handbook() -> bytes:
    return (FIXTURES / "tool_library_handbook.md").read_bytes()


def member_of(tenant: Tenant, name: str = "kim") -> Principal:
    return Principal("user", 1, name, "admin", tenant.slug)


def knowledge_base(tenant: Tenant, isolation: str = "siloed", kind: str = "recursive",
                   name: str = "Handbook") -> Located:  # fmt: skip
    grant_model(model_name=EMBEDDINGS, tenants=[tenant], actor="test")
    return create_knowledge_base(
        tenant=tenant, name=name, isolation=isolation, embedding_model=EMBEDDINGS,
        chunking={"kind": kind}, actor="test",
    )  # fmt: skip


def ingested(located: Located, files: dict[str, bytes], timeout: float = 120) -> list[Document]:
    """Upload `files`, then wait for the worker to finish each accepted one."""
    outcomes = upload_documents(
        located=located, uploads=[Upload(name, data) for name, data in files.items()],
        principal=member_of(located.tenant),
    )  # fmt: skip
    ids = [o.document.pk for o in outcomes if o.document is not None]
    deadline = time.monotonic() + timeout
    while True:
        with opened(located):
            documents = list(Document.objects.filter(pk__in=ids))
        if all(d.status in ("ready", "failed") for d in documents):
            return documents
        assert time.monotonic() < deadline, [(d.filename, d.status) for d in documents]
        time.sleep(0.2)


def stored_document(located: Located, content: bytes, filename: str = "big.md") -> Document:
    """A document as an upload leaves it (its task not run: the test runs ingestion itself)."""
    with opened(located):
        return Document.objects.create(
            knowledge_base=located.kb, tenant_id=located.tenant.pk, filename=filename,
            size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
            uploaded_by="kim",
        )  # fmt: skip


def in_small_chunks(located: Located) -> Located:
    """The knowledge base cut into 48-token chunks: a document makes several batches."""
    located.kb.chunking = {"kind": "recursive", "chunk_tokens": 48}
    with opened(located):
        located.kb.save(update_fields=["chunking"])
    return located


def member_asking(tenant: Tenant, make_user: Any, chat_model: str) -> tuple[Client, Upstream]:
    """A member's bearer-token client, and the loopback upstream that serves `chat_model`,
    granted to the tenant: what retrieve-and-generate answers with."""
    upstream = Upstream()
    upstream_model(chat_model, upstream)
    grant_model(model_name=chat_model, tenants=[tenant], actor="test")
    token = mint_member_token(user=make_user("mo", roles={tenant: "member"}), tenant=tenant)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), upstream
