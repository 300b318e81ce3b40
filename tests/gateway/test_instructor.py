"""instructor, unchanged, through the gateway over real HTTP, in TOOLS mode (a forced function
call) and JSON mode (`json_object`, the schema in the prompt): the Pydantic object comes back
and the call is metered; a model without the capability is refused with a 400 that names the
field, so instructor raises rather than "succeeding" with a model that was never asked
properly — and nothing reaches the upstream or is charged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import instructor
import openai
import pytest
from instructor.core import InstructorRetryException

from identity.services import mint_member_token
from models_catalog.services.access import grant_model
from tests.gateway.recorded import events_of
from tests.gateway.tools import City
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)

ASK = [{"role": "user", "content": "Describe Paris"}]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.server.shutdown()


@pytest.fixture
def acme(asgi_url, upstream, make_tenant, make_user) -> Any:  # type: ignore[no-untyped-def]
    """The openai SDK as a member of acme, which is granted `able` (tools and JSON mode) and
    `plain` (neither), both served by `upstream`."""
    upstream_model("able", upstream, supports_tools=True, supports_json_mode=True)
    upstream_model("plain", upstream)
    tenant = make_tenant("acme")
    for name in ("able", "plain"):
        grant_model(model_name=name, tenants=[tenant], actor="test")
    token = mint_member_token(user=make_user("ines", roles={tenant: "member"}), tenant=tenant)
    client = openai.OpenAI(base_url=f"{asgi_url}/t/{tenant.slug}/v1", api_key=token,
                           max_retries=0)  # fmt: skip
    client.tenant = tenant  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(
    ("mode", "field", "asked"),
    [
        (instructor.Mode.TOOLS, "tools", {"type": "function", "function": {"name": "City"}}),
        (instructor.Mode.JSON, "response_format", {"type": "json_object"}),
    ],
)
def test_instructor_gets_its_object_and_a_model_that_cannot_is_refused(
    acme, upstream, mode, field, asked
) -> None:
    extract = instructor.from_openai(acme, mode=mode)
    city = extract.chat.completions.create(model="able", response_model=City, messages=ASK)
    assert isinstance(city, City)
    assert city.model_dump() == {"name": "Paris", "population": 3, "coastal": True,
                                 "districts": ["Paris"]}  # fmt: skip
    sent = upstream.requests[-1]["body"]
    assert (sent.get("tool_choice") or sent.get("response_format")) == asked

    with pytest.raises(InstructorRetryException) as raised:
        extract.chat.completions.create(model="plain", response_model=City, messages=ASK)
    refusal = raised.value.__cause__
    assert isinstance(refusal, openai.BadRequestError)
    assert refusal.body["param"] == field  # type: ignore[index]
    assert len(upstream.requests) == 1  # the refusal never reached the upstream

    (event,) = events_of(acme.tenant.slug, 1)  # the answered call, and only it, was charged
    assert (event.model_name, event.status, event.input_tokens, event.output_tokens) == (
        "able", "ok", 21, 13,
    )  # fmt: skip
