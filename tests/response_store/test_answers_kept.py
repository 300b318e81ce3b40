"""A billed answer always goes back: one PostgreSQL cannot store as it is (a NUL, which a model
may answer with) is stored with U+FFFD in its place, and one that cannot be stored at all is
still answered (whole, or with `response.completed`), the failure logged."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from django.db import connection

from response_store.models import StoredResponse
from tenants.schemas import in_tenant_schema
from tests.gateway.recorded import events_of
from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)


def _client(acme) -> httpx.Client:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {acme.api_key}"}
    return httpx.Client(base_url=str(acme.base_url), headers=headers, timeout=30)


def _streamed(client: httpx.Client) -> list[dict]:
    body = {"model": MODEL, "input": "hi", "stream": True}
    with client.stream("POST", "responses", json=body) as answer:
        return [json.loads(line[6:]) for line in answer.iter_lines() if line.startswith("data: ")]


def test_an_answer_with_a_nul_is_answered_and_stored_with_a_replacement(acme, upstream) -> None:
    upstream.answer, upstream.pieces = "a\u0000b", ["a\u0000", "b"]
    with _client(acme) as client:
        whole = client.post("responses", json={"model": MODEL, "input": "hi"})
        streamed = _streamed(client)
        assert whole.status_code == 200
        assert whole.json()["output"][0]["content"][0]["text"] == "a\u0000b"  # as answered
        assert streamed[-1]["type"] == "response.completed"
        for response_id in (whole.json()["id"], streamed[-1]["response"]["id"]):
            kept = client.get(f"responses/{response_id}").json()
            assert kept["output"][0]["content"][0]["text"] == "a\ufffdb"
    assert [event.status for event in events_of(acme.tenant.slug, 2)] == ["ok", "ok"]


def test_an_answer_that_cannot_be_stored_still_goes_back(acme, upstream, caplog) -> None:
    table = StoredResponse._meta.db_table
    with in_tenant_schema(acme.tenant), connection.cursor() as cursor:  # storage refuses all
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT refuse_all CHECK (false) NOT VALID")
    try:
        with _client(acme) as client, caplog.at_level(logging.ERROR, "atrium.gateway"):
            whole = client.post("responses", json={"model": MODEL, "input": "hi"})
            streamed = _streamed(client)
            assert whole.status_code == 200 and whole.json()["status"] == "completed"
            assert streamed[-1]["type"] == "response.completed"
            assert client.get(f"responses/{whole.json()['id']}").status_code == 404
    finally:
        with in_tenant_schema(acme.tenant), connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT refuse_all")
    assert sum("could not be stored" in record.message for record in caplog.records) == 2
    assert [event.status for event in events_of(acme.tenant.slug, 2)] == ["ok", "ok"]
