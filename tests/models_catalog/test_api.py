"""The catalogue API: platform administrators decide, tenants see their own, all over HTTP."""

from __future__ import annotations

import pytest
from django.test import Client

from identity.services import mint_member_token
from identity.tokens import sign_access_token
from models_catalog.models import AccessRequest

pytestmark = pytest.mark.django_db

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def people(module_tenants, make_user):
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    root = make_user("root", is_superuser=True, is_staff=True)
    return {
        "root": sign_access_token(subject=str(root.pk), extra_claims={"principal": "user"}),
        "acme_admin": mint_member_token(user=make_user("pia", roles={acme: "admin"}), tenant=acme),
        "acme_member": mint_member_token(
            user=make_user("quin", roles={acme: "member"}), tenant=acme
        ),
        "globex_admin": mint_member_token(
            user=make_user("rex", roles={globex: "admin"}), tenant=globex
        ),
    }


def test_request_approve_use_end_to_end(people, module_tenants) -> None:
    acme = module_tenants["acme"]
    client = Client()
    made = client.post(
        f"/t/{acme.slug}/v1/catalog/requests",
        {"model": HAIKU, "justification": "Support bot"},
        content_type="application/json",
        **bearer(people["acme_admin"]),
    )
    assert made.status_code == 201, made.content
    request_id = made.json()["id"]
    queue = client.get("/api/catalog/requests", **bearer(people["root"])).json()
    assert [item["id"] for item in queue] == [request_id]

    approved = client.post(
        f"/api/catalog/requests/{request_id}/approve",
        {"comment": "fine"},
        content_type="application/json",
        **bearer(people["root"]),
    )
    assert approved.status_code == 200
    twice = client.post(
        f"/api/catalog/requests/{request_id}/approve",
        {},
        content_type="application/json",
        **bearer(people["root"]),
    )
    assert twice.status_code == 409
    assert "already approved" in twice.json()["error"]["message"]

    models = client.get(f"/t/{acme.slug}/v1/catalog/models", **bearer(people["acme_member"]))
    usable = {m["name"] for m in models.json() if m["usable"]}
    assert HAIKU in usable
    mine = client.get(f"/t/{acme.slug}/v1/catalog/requests", **bearer(people["acme_member"]))
    assert mine.json()[0]["state"] == "approved"


def test_members_cannot_request_and_tenants_cannot_decide(people, module_tenants) -> None:
    acme = module_tenants["acme"]
    client = Client()
    refused = client.post(
        f"/t/{acme.slug}/v1/catalog/requests",
        {"model": HAIKU, "justification": "x"},
        content_type="application/json",
        **bearer(people["acme_member"]),
    )
    assert refused.status_code == 403
    for token in (people["acme_admin"], people["acme_member"]):
        assert client.get("/api/catalog/requests", **bearer(token)).status_code == 403
    assert not AccessRequest.objects.filter(tenant=acme).exists()


def test_requests_and_grants_stay_in_their_tenant(people, module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    client = Client()
    client.post(
        f"/t/{acme.slug}/v1/catalog/requests",
        {"model": HAIKU, "justification": "x"},
        content_type="application/json",
        **bearer(people["acme_admin"]),
    )
    theirs = client.get(f"/t/{globex.slug}/v1/catalog/requests", **bearer(people["globex_admin"]))
    assert theirs.status_code == 200 and theirs.json() == []
    granted = client.post(
        "/api/catalog/grants",
        {"model": "amazon.nova-lite-v1:0", "tenants": [globex.slug]},
        content_type="application/json",
        **bearer(people["root"]),
    )
    assert granted.status_code == 201
    acme_models = client.get(f"/t/{acme.slug}/v1/catalog/models", **bearer(people["acme_admin"]))
    assert "amazon.nova-lite-v1:0" not in {m["name"] for m in acme_models.json() if m["usable"]}


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"model": "nope", "justification": "x"}, 404, "no model called"),
        ({"model": HAIKU, "justification": ""}, 400, "justification"),
        ({"justification": "x"}, 400, "model"),
    ],
)
def test_bad_requests_get_a_clear_4xx(people, module_tenants, payload, status, message) -> None:
    response = Client().post(
        f"/t/{module_tenants['acme'].slug}/v1/catalog/requests",
        payload,
        content_type="application/json",
        **bearer(people["acme_admin"]),
    )
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def test_malformed_json_is_a_400(people, module_tenants) -> None:
    response = Client().post(
        f"/t/{module_tenants['acme'].slug}/v1/catalog/requests",
        "{not json",
        content_type="application/json",
        **bearer(people["acme_admin"]),
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]["message"]


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_bad_price_over_the_api(people, value) -> None:
    response = Client().post(
        "/api/catalog/prices",
        {"model": HAIKU, "input_per_million": value, "output_per_million": "1"},
        content_type="application/json",
        **bearer(people["root"]),
    )
    assert response.status_code == 400


def test_registry_over_the_api(people) -> None:
    client = Client()
    root = bearer(people["root"])
    made = client.post(
        "/api/registry/models",
        {"name": "claims", "provider": "sagemaker"},
        content_type="application/json",
        **root,
    )
    assert made.status_code == 201, made.content
    for number in (1, 2):
        created = client.post(
            "/api/registry/models/claims/versions",
            {
                "artifact_uri": f"s3://m/claims/{number}",
                "serving_target": f"claims-{number}",
                "base_model": "meta.llama3-1-8b-instruct-v1:0",
            },
            content_type="application/json",
            **root,
        )
        assert created.status_code == 201
    for number in (1, 2):
        client.post(
            "/api/registry/models/claims/deploy",
            {"alias": "production", "version": number},
            content_type="application/json",
            **root,
        )
    back = client.post(
        "/api/registry/models/claims/rollback",
        {"alias": "production"},
        content_type="application/json",
        **root,
    )
    assert back.json() == {"name": "production", "version": 1}
    blocked = client.delete("/api/registry/models/claims/versions/1", **root)
    assert blocked.status_code == 409
    assert "production points at" in blocked.json()["error"]["message"]


def test_openapi_schema_and_swagger_ui_are_served() -> None:
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/catalog/requests/{request_id}/approve" in paths
    assert "/t/{tenant}/v1/catalog/requests" in paths
    assert schema.json()["components"]["securitySchemes"]["oidcBearer"]["scheme"] == "bearer"
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
