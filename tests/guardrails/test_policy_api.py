"""A policy's body is read or refused by name: unknown fields, the floor's tenant-only fields,
text where a flag belongs ("false" once turned capture on) and values of the wrong type (a topic
named with a list once broke the policy page) are 400s that name the field, and nothing is
saved. Only a missing field or null means its default; what is stored is the policy as parsed.
Turning the invocation log off is never refused for the rest of the policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from guardrails.models import GuardrailPolicy
from guardrails.selectors import stored, stored_with_capture, tenant_row
from guardrails.services import set_floor, set_tenant_policy
from kernel.errors import InvalidInput
from tenants.schemas import in_tenant_schema
from tests.guardrails.test_invocation_log import bearer, put

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "param"),
    [({"denied_topic": [{"name": "Pay", "keywords": ["salary"]}]}, "denied_topic"),
     ({"prompt_injection": True, "prompt_injection_treshold": 0.2}, "prompt_injection_treshold"),
     ({"denied_topics": [{"name": "Pay", "keyword": ["salary"]}]}, "denied_topics[0].keyword"),
     ({"capture_invocations": "false"}, "capture_invocations"),
     ({"prompt_injection": "false"}, "prompt_injection"),
     ({"word_filters": [{"pattern": "a.c", "regex": "false"}]}, "word_filters[0].regex"),
     ({"denied_topics": {}}, "denied_topics"),
     ({"pii": 0}, "pii"),
     ({"word_filters": [{"name": {"a": 1}, "pattern": "x"}]}, "word_filters[0].name"),
     ({"word_filters": [{"pattern": 123}]}, "word_filters[0].pattern"),
     ({"denied_topics": [{"name": ["Pay"], "keywords": ["salary"]}]}, "denied_topics[0].name"),
     ({"denied_topics": [{"name": "Pay", "keywords": "salary"}]}, "denied_topics[0].keywords"),
     ({"phone_regions": ""}, "phone_regions"),
     ({"bedrock_guardrail": []}, "bedrock_guardrail"),
     ({"retention_days": "30"}, "retention_days")],
)  # fmt: skip
def test_a_field_the_policy_cannot_read_is_refused_by_name(  # type: ignore[no-untyped-def]
    module_tenants, make_user, body: dict[str, Any], param: str
) -> None:
    acme = module_tenants["acme"]
    admin = bearer(make_user(f"ada-{param}", roles={acme: "admin"}), acme)
    refused = put(admin, f"/t/{acme.slug}/v1/guardrails", body)
    assert refused.status_code == 400, refused.content
    error = refused.json()["error"]
    assert error["param"] == param and param in error["message"], error
    assert tenant_row(acme) is None


def test_the_floor_refuses_a_tenants_own_settings() -> None:
    for name, value in (("capture_invocations", True), ("retention_days", 7)):
        with pytest.raises(InvalidInput, match=f"{name}: a tenant's own") as refused:
            set_floor(raw={"pii": {"card": "block"}, name: value}, actor="root")
        assert refused.value.param == name


def test_null_means_the_default_and_the_policy_is_stored_as_parsed(  # type: ignore[no-untyped-def]
    module_tenants,
) -> None:
    acme = module_tenants["acme"]
    set_tenant_policy(tenant=acme, actor="ada", raw={
        "pii": None, "prompt_injection": None, "phone_regions": None, "bedrock_guardrail": None,
        "capture_invocations": False, "retention_days": None, "word_filters": None,
        "denied_topics": [{"name": " Pay ", "examples": None, "keywords": [" salary ", " "]}],
    })  # fmt: skip
    assert stored_with_capture(tenant_row(acme)) == {
        **stored(None), "capture_invocations": False, "retention_days": 30,
        "denied_topics": [{"name": "Pay", "examples": [], "keywords": ["salary"],
                           "counter_examples": []}],
    }  # fmt: skip
    set_tenant_policy(tenant=acme, actor="ada", raw={
        "word_filters": [{"pattern": " late fees ", "regex": False}], "capture_invocations": True,
    })  # fmt: skip
    row = tenant_row(acme)
    assert row is not None and row.capture_invocations is True
    assert row.word_filters == [{"name": "late fees", "pattern": "late fees", "regex": False}]


def test_the_policy_page_shows_a_topic_stored_before_names_had_to_be_text(  # type: ignore[no-untyped-def]
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    with in_tenant_schema(acme):
        GuardrailPolicy.objects.create(denied_topics=[{"name": ["Pay"], "keywords": ["salary"]}])
    page = Client()
    page.force_login(make_user("ada-page", roles={acme: "admin"}))
    shown = page.get(f"/t/{acme.slug}/guardrails/")
    assert shown.status_code == 200 and "salary" in shown.content.decode()


def test_a_policy_stored_with_nulls_before_types_were_checked_still_applies() -> None:
    """The old parser read a null name or pattern as the text "None"; reading such a stored
    policy must not fail (every call it governs would)."""
    from guardrails.policy import parse

    policy = parse({
        "denied_topics": [{"name": None, "keywords": ["salary"]}],
        "word_filters": [{"pattern": "codename", "name": None}, {"pattern": None}],
    }, saved=True)  # fmt: skip
    assert [topic.name for topic in policy.topics] == ["None"]
    assert [word.name for word in policy.words] == ["codename", "None"]
    with pytest.raises(InvalidInput):
        parse({"denied_topics": [{"name": None, "keywords": ["salary"]}]})


def test_capture_is_turned_off_whatever_the_floor_has_grown_to(  # type: ignore[no-untyped-def]
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    set_tenant_policy(tenant=acme, raw={"capture_invocations": True}, actor="ada")
    set_floor(raw={"word_filters": [{"name": "codename", "pattern": "Project Falcon"}]},
              actor="root")  # fmt: skip
    page = Client()
    page.force_login(make_user("ada-capture", roles={acme: "admin"}))
    # The box unticked: stop keeping prompts and answers.
    turned_off = page.post(f"/t/{acme.slug}/invocations/", {"retention_days": "7"})
    assert turned_off.status_code == 302, turned_off.content.decode()[-2000:]
    row = tenant_row(acme)
    assert row is not None and not row.capture_invocations and row.retention_days == 7
    assert row.word_filters == []  # the rest of the tenant's policy as it was
    refused = page.post(f"/t/{acme.slug}/invocations/", {"retention_days": "0"})
    assert refused.status_code == 400 and "retention_days" in refused.content.decode()


def test_a_policy_answered_by_get_can_be_put_back(module_tenants, make_user) -> None:  # type: ignore[no-untyped-def]
    acme = module_tenants["acme"]
    admin = bearer(make_user("ada-roundtrip", roles={acme: "admin"}), acme)
    url = f"/t/{acme.slug}/v1/guardrails"
    saved = put(admin, url, {"denied_topics": [{"name": "Pay", "keywords": ["salary"]}]})
    assert saved.status_code == 200, saved.content
    policy = saved.json()["policy"]
    again = admin.put(url, json.dumps(policy), content_type="application/json")
    assert again.status_code == 200 and again.json()["policy"] == policy
