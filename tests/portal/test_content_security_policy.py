"""Every response carries the Content-Security-Policy: the public site, a tenant's pages and the
API. Scripts run only from the portal's own origin or inline with the request's nonce."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import Client

from identity.services import mint_member_token

pytestmark = pytest.mark.django_db


def directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


def test_public_tenant_and_api_responses_carry_the_policy(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    person = Client()
    person.force_login(make_user("lena", roles={acme: "member"}))
    program = Client(HTTP_AUTHORIZATION="Bearer " + mint_member_token(
        user=make_user("ben", roles={acme: "member"}), tenant=acme))  # fmt: skip
    responses = {
        "public page": Client().get("/"),
        "tenant page": person.get(f"/t/{acme.slug}/api-access/"),
        "API": program.get(f"/t/{acme.slug}/v1/whoami"),
        "API refusal": Client().get(f"/t/{acme.slug}/v1/whoami"),
    }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 401]
    for kind, response in responses.items():
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], kind
        assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"], kind


def test_an_inline_script_runs_only_with_this_responses_nonce(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    person = Client()
    person.force_login(make_user("dave", roles={acme: "member"}))
    pages = [person.post(f"/t/{acme.slug}/api-access/token") for _ in range(2)]
    nonces = []
    for page in pages:
        (nonce,) = re.findall(r'<script nonce="([^"]+)">', page.content.decode())
        assert directives(page)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
        assert "onclick=" not in page.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # a fresh nonce per response: one seen is no use later


def test_the_api_reference_page_has_no_inline_script() -> None:
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>", page.content.decode())
    assert scripts and all("src=" in attributes for attributes in scripts)
    start_up = Client().get("/api/docs/?script=")
    assert start_up.status_code == 200 and b"SwaggerUIBundle" in start_up.content
