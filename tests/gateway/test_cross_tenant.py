"""The model endpoints as production serves them (the gateway's own ASGI handler, over real
HTTP): another tenant's person or service account is refused exactly like a stranger to an
unknown tenant, before any model is called or anything is charged."""

from __future__ import annotations

import httpx
import pytest

from identity.services import create_service_account, mint_member_token
from identity.tokens import SERVICE_ACCOUNT, sign_access_token
from metering.usage_queue import queued_usage
from models_catalog.services.access import grant_model
from tests.gateway.conftest import LOCAL_CHAT, LOCAL_EMBEDDINGS

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = [
    ("GET", "models", None),
    ("POST", "chat/completions",
     {"model": LOCAL_CHAT, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}),
    ("POST", "embeddings", {"model": LOCAL_EMBEDDINGS, "input": "hi"}),
]  # fmt: skip


def test_another_tenants_tokens_are_refused_by_the_gateway(
    asgi_url, make_tenant, make_user
) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    for model in (LOCAL_CHAT, LOCAL_EMBEDDINGS):
        grant_model(model_name=model, tenants=[acme, globex], actor="test")
    person = mint_member_token(user=make_user("mallory", roles={acme: "admin"}), tenant=acme)
    account, _ = create_service_account(tenant=acme, name="robot", role="admin")
    robot = sign_access_token(
        subject=account.client_id,
        extra_claims={"principal": SERVICE_ACCOUNT, "client_id": account.client_id},
    )  # no tenant claim: the account's own tenant decides
    queued = queued_usage()
    with httpx.Client(base_url=asgi_url, timeout=60) as client:
        for method, path, body in CALLS:
            for token in (person, robot):
                headers = {"Authorization": f"Bearer {token}"}
                foreign = client.request(method, f"/t/{globex.slug}/v1/{path}", json=body,
                                         headers=headers)  # fmt: skip
                unknown = client.request(method, f"/t/nowhere/v1/{path}", json=body,
                                         headers=headers)  # fmt: skip
                assert foreign.status_code == 403, (path, foreign.text)
                assert unknown.status_code == 403 and foreign.json() == unknown.json()  # alike
                assert foreign.json()["error"]["type"] == "permission_error"
                own = client.request(method, f"/t/{acme.slug}/v1/{path}", json=body,
                                     headers=headers)  # fmt: skip
                assert own.status_code == 200, (path, own.text)
    assert queued_usage() == queued + 4  # only acme's own calls went to a model
