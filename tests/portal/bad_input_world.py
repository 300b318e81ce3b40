"""One tenant for the bad-input tests, committed to the test database so that the gateway's
pool threads and a real HTTP server see it: an administrator, the platform's administrator, a
chat model (with a small context window) and an embedding model served by a loopback upstream,
the local embedding model, and a knowledge base."""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from identity.services import grant_membership, mint_member_token
from identity.tokens import sign_access_token
from knowledge.services import create_knowledge_base
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tenants.services import create_tenant, delete_tenant
from tests.gateway.upstreams import Upstream, upstream_model

EMBEDDINGS = "local/all-minilm-l6-v2"
CONTEXT_WINDOW = 4096
_numbers = itertools.count(1)


@dataclass
class World:
    tenant: Tenant
    admin: Any  # a tenant administrator (pages, the tenant's API)
    root: Any  # a platform administrator (/api)
    chat_model: str
    embedding_model: str  # served by the upstream too (the local one takes seconds to load)
    kb_id: str
    upstream: Upstream

    @functools.cached_property
    def admin_token(self) -> str:
        return mint_member_token(user=self.admin, tenant=self.tenant)

    @functools.cached_property
    def root_token(self) -> str:
        return sign_access_token(subject=str(self.root.pk), extra_claims={"principal": "user"})

    @property
    def base(self) -> str:
        return f"/t/{self.tenant.slug}"

    def api(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        """The tenant's API (`/t/<slug>/v1/...`) or the platform's (`/api/...`) as its
        administrator, with `body` as JSON (or `raw` text sent as JSON)."""
        platform = path.startswith("/api/")
        token = self.root_token if platform else self.admin_token
        data = raw if raw is not None else json.dumps(body)
        return getattr(Client(), method)(
            path if platform else f"{self.base}/{path}", data=data,
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip

    def browser(self) -> Client:
        """A signed-in session of the tenant's administrator."""
        client = Client()
        client.force_login(self.admin)
        return client


def _user(name: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(
        username=name, password=f"pw-{name}-123", email=f"{name}@example.com", **extra
    )


def build_world() -> Iterator[World]:
    """The world, committed; removed again afterwards. Call with the database unblocked."""
    number = f"{os.getpid()}-{next(_numbers)}"
    upstream = Upstream()
    chat_model, embedding_model = f"bad-input-chat-{number}", f"bad-input-embed-{number}"
    chat = upstream_model(chat_model, upstream, context_window=CONTEXT_WINDOW)
    FoundationModel.objects.create(
        name=embedding_model, provider=chat.provider, provider_model_id=embedding_model,
        display_name=embedding_model, modality="embedding", embedding_dimensions=2,
    )  # fmt: skip
    tenant = create_tenant(slug=f"bad-{number}", name="Bad Input Ltd", business_unit="Ops")
    for name in (chat_model, embedding_model):
        grant_model(model_name=name, tenants=[tenant], actor="test")
    grant_model(model_name=EMBEDDINGS, tenants=[tenant], actor="test")
    admin = _user(f"bad-admin-{number}")
    grant_membership(user=admin, tenant=tenant, role="admin")
    root = _user(f"bad-root-{number}", is_superuser=True, is_staff=True)
    located = create_knowledge_base(
        tenant=tenant, name="Handbook", isolation="siloed", embedding_model=EMBEDDINGS,
        chunking=None, actor="test",
    )  # fmt: skip
    try:
        yield World(tenant, admin, root, chat_model, embedding_model, str(located.kb.pk), upstream)
    finally:
        upstream.server.shutdown()
        if Tenant.objects.filter(pk=tenant.pk).exists():
            delete_tenant(slug=tenant.slug, confirm=tenant.slug)
        FoundationModel.objects.filter(name__in=[chat_model, embedding_model]).delete()
        Provider.objects.filter(endpoint_url=upstream.url).delete()
        get_user_model().objects.filter(pk__in=[admin.pk, root.pk]).delete()
