"""Schemathesis over the served OpenAPI schema (`/api/schema/`, #15): every documented operation
of the platform API and of a tenant's API, called with cases generated from the schema (valid
ones and ones that break it) by the tenant's administrator or the platform's, answers no 5xx
and only status codes the schema declares. Deterministic (derandomised), bounded for CI."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from identity.selectors import members_of
from tenants.selectors import business_units_of
from tests.portal.bad_input_world import World, build_world

pytestmark = pytest.mark.django_db

# What `/api/schema/` serves (test_the_served_schema_is_the_one_fuzzed holds them equal); built
# here because collection happens before the test database exists.
SERVED = SchemaGenerator(urlconf="portal.urls_schema").get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(SERVED)


@functools.cache
def _portal() -> WSGIHandler:
    # Made on the first call: the middleware reads the settings the test session has set.
    return WSGIHandler()


def application(environ: dict[str, Any], start_response: Any) -> Any:
    return _portal()(environ, start_response)


schema.app = application

MAX_EXAMPLES = 12  # per operation: ~45 operations stay within about a minute on 2 cores


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        yield from build_world()


@pytest.fixture(autouse=True)
def _connection_kept_across_requests() -> Iterator[None]:
    """Like Django's test client: the WSGI handler would close this test's connection (inside
    its transaction) at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_ids(world: World) -> dict[str, str]:
    """Path parameters that name something that exists (else nearly every case is a 404)."""
    membership = members_of(world.tenant).get(user=world.admin)
    return {
        "kb_id": world.kb_id,
        "membership_id": str(membership.pk),
        "unit_id": str(business_units_of(world.tenant).first().pk),  # type: ignore[union-attr]
    }


@schema.parametrize()
@schema.given(data=st.data())
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)
def test_no_operation_answers_a_server_error(case: Any, data: Any, world: World) -> None:
    if "tenant" in case.path_parameters:
        case.path_parameters["tenant"] = world.tenant.slug
    for name, value in real_ids(world).items():
        if name in case.path_parameters and data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = value
    token = world.root_token if case.path.startswith("/api/") else world.admin_token
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance],
    )


def test_the_served_schema_is_the_one_fuzzed(world: World) -> None:
    served = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert served.status_code == 200
    assert served.json() == SERVED
    operations = [(path, op) for path, ops in SERVED["paths"].items() for op in ops.values()]
    for path, operation in operations:  # every answer an operation can give is declared
        assert {"400", "401", "403", "503"} <= set(operation["responses"]), path
    rag = SERVED["paths"]["/t/{tenant}/v1/knowledge-bases/{kb_id}/retrieve-and-generate"]["post"]
    assert {"404", "413", "429"} <= set(rag["responses"])
    assert rag["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
