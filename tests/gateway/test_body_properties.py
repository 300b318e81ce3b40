"""Property (#15): whatever JSON value a client puts in any field of a chat or embeddings body
(or in a message's fields), the gateway answers a 2xx or a 4xx in OpenAI's error shape, never a
5xx. The fields are the gateway's own lists, so a new field is covered the day it lands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.parameters.chat import CHAT_FIELDS
from gateway.parameters.embeddings import EMBEDDING_FIELDS
from tests.portal.bad_input_world import World, build_world

pytestmark = pytest.mark.django_db

MESSAGE_FIELDS = ["role", "content", "name", "tool_calls", "tool_call_id", "function_call"]
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),  # what JSON can carry
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8,
)  # fmt: skip
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        yield from build_world()


def answered(world: World, path: str, body: dict[str, Any]) -> None:
    response = world.api("post", path, raw=json.dumps(body, allow_nan=False))
    if response.streaming:
        b"".join(response.streaming_content)  # a stream runs to its end (and settles)
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["message"] and error["type"]


@PROPERTY
@given(field=st.sampled_from(sorted(CHAT_FIELDS | {"unknown_field"})), value=json_values)
def test_any_value_in_any_chat_field_is_never_a_5xx(world, field, value) -> None:
    body = {"model": world.chat_model, "messages": [{"role": "user", "content": "Hi"}],
            "max_tokens": 5, field: value}  # fmt: skip
    answered(world, "v1/chat/completions", body)


@PROPERTY
@given(field=st.sampled_from(MESSAGE_FIELDS), value=json_values)
def test_any_value_in_any_message_field_is_never_a_5xx(world, field, value) -> None:
    message = {"role": "user", "content": "Hi", field: value}
    answered(world, "v1/chat/completions", {"model": world.chat_model, "messages": [message]})


@PROPERTY
@given(field=st.sampled_from(sorted(EMBEDDING_FIELDS)), value=json_values)
def test_any_value_in_any_embeddings_field_is_never_a_5xx(world, field, value) -> None:
    body = {"model": world.embedding_model, "input": "Hi", field: value}
    answered(world, "v1/embeddings", body)
