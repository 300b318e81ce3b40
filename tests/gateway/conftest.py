"""A real ASGI server (uvicorn, in a thread of the test process, on the test database) for the
gateway, which streams; and the official `openai` SDK as the client."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from openai import OpenAI

from identity.services import mint_member_token
from models_catalog.services.access import grant_model
from portal.embedded import free_loopback_port

LOCAL_CHAT = "local/gemma-3-270m"
LOCAL_EMBEDDINGS = "local/all-minilm-l6-v2"


@pytest.fixture
def asgi_url(transactional_db, settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from portal.asgi import application

    port = free_loopback_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def acme_client(asgi_url, make_tenant, make_user):  # type: ignore[no-untyped-def]
    """The `openai` SDK pointed at acme's API, as a member of acme with the local models."""
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL_CHAT, tenants=[acme], actor="test")
    grant_model(model_name=LOCAL_EMBEDDINGS, tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("yuri", roles={acme: "member"}), tenant=acme)
    client = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    client.tenant = acme  # type: ignore[attr-defined]
    client.token = token  # type: ignore[attr-defined]
    return client
