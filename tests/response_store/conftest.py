"""An OpenAI-compatible upstream that really acts on tools and response formats, behind a
catalogue model that can do both, granted to acme; the openai SDK pointed at acme's API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openai import OpenAI

from identity.services import mint_member_token
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream, upstream_model

MODEL = "agent-model"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.server.shutdown()


@pytest.fixture
def acme(asgi_url, upstream, make_tenant, make_user) -> Any:  # type: ignore[no-untyped-def]
    """(the SDK as acme's member yuri, acme, the upstream's requests)."""
    upstream_model(MODEL, upstream, supports_tools=True, supports_parallel_tool_calls=True,
                   supports_tool_streaming=True, supports_json_mode=True,
                   supports_json_schema=True, supports_image_input=True,
                   max_output_tokens=1024)  # fmt: skip
    tenant = make_tenant("acme")
    grant_model(model_name=MODEL, tenants=[tenant], actor="test")
    token = mint_member_token(user=make_user("yuri", roles={tenant: "member"}), tenant=tenant)
    client = OpenAI(base_url=f"{asgi_url}/t/{tenant.slug}/v1", api_key=token, max_retries=0)
    client.tenant = tenant  # type: ignore[attr-defined]
    return client
