"""The playground's pages: members see it with their tenant's usable chat models only; others get
the house 404; a person continues, renames and deletes only their own conversations; prompt
templates are versioned, shared inside the tenant and nowhere else, and fill their variables."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from models_catalog.services.access import grant_model
from playground import services
from playground.models import Conversation, PromptTemplate
from tenants.models import Tenant

pytestmark = pytest.mark.django_db

CHAT = "local/gemma-3-270m"
EMBEDDINGS = "local/all-minilm-l6-v2"
NOT_GRANTED = "anthropic.claude-3-haiku-20240307-v1:0"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def base(tenant: Tenant) -> str:
    return f"/t/{tenant.slug}/playground/"


def conversation(tenant: Tenant, owner_id: int, title: str = "Refund policy") -> Conversation:
    with tenant_context(tenant):
        started = services.start_conversation(
            owner_id=owner_id, first_prompt=title, model=CHAT, system_prompt="Be brief.",
            parameters={"temperature": 0}, knowledge_base_id=None,
        )  # fmt: skip
        services.add_question(started, "What is the refund policy?")
        return started


def test_members_see_the_playground_with_their_usable_chat_models(
    module_tenants, make_user
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    grant_model(model_name=EMBEDDINGS, tenants=[acme], actor="test")
    member = signed_in(make_user("nina", roles={acme: "member"}))

    page = member.get(base(acme))
    assert page.status_code == 200
    shown = page.content.decode()
    assert f'<option value="{CHAT}" data-max-output="' in shown  # Max tokens follows it
    assert EMBEDDINGS not in shown and NOT_GRANTED not in shown
    assert f'href="/t/{acme.slug}/playground/"' in shown  # the nav's link

    assert member.get(base(globex)).status_code == 404  # not a member there
    outsider = signed_in(make_user("zed"))
    assert outsider.get(base(acme)).status_code == 404
    anonymous = Client().get(base(acme))
    assert anonymous.status_code == 302 and "/oidc/authenticate/" in anonymous["Location"]


def test_a_person_continues_renames_and_deletes_only_their_own(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    nina, otto = (make_user(n, roles={acme: "member", globex: "member"}) for n in ("nina", "otto"))
    mine, theirs = conversation(acme, nina.pk), conversation(acme, otto.pk, "Otto's secret")
    client = signed_in(nina)

    listed = client.get(base(acme)).content.decode()
    assert "Refund policy" in listed and "Otto&#x27;s secret" not in listed
    assert client.get(f"{base(acme)}?conversation={mine.pk}").status_code == 200
    assert client.get(f"{base(acme)}?conversation={theirs.pk}").status_code == 404
    assert client.get(f"{base(acme)}?conversation=not-a-uuid").status_code == 404

    loaded = client.get(f"{base(acme)}conversations/{mine.pk}.json")
    assert loaded.status_code == 200
    data = loaded.json()
    assert (data["model"], data["system_prompt"], data["parameters"]) == (
        CHAT, "Be brief.", {"temperature": 0}
    )  # fmt: skip
    assert [(t["role"], t["content"]) for t in data["turns"]] == [
        ("user", "What is the refund policy?")
    ]
    assert client.get(f"{base(acme)}conversations/{theirs.pk}.json").status_code == 404
    # The same id under another tenant's URL: that tenant's schema has no such conversation.
    assert client.get(f"{base(globex)}conversations/{mine.pk}.json").status_code == 404

    renamed = client.post(f"{base(acme)}conversations/{mine.pk}/rename", {"title": "  Refunds "})
    assert renamed.status_code == 302
    assert renamed["Location"] == f"{base(acme)}?conversation={mine.pk}"
    empty = client.post(f"{base(acme)}conversations/{mine.pk}/rename", {"title": " "}, follow=True)
    assert "Give the conversation a name" in empty.content.decode()
    forged = client.post(f"{base(acme)}conversations/{theirs.pk}/rename", {"title": "Mine now"})
    assert forged.status_code == 404
    assert client.post(f"{base(acme)}conversations/{theirs.pk}/delete").status_code == 404
    with tenant_context(acme):
        assert Conversation.objects.get(pk=mine.pk).title == "Refunds"
        assert Conversation.objects.get(pk=theirs.pk).title == "Otto's secret"

    deleted = client.post(f"{base(acme)}conversations/{mine.pk}/delete", follow=True)
    assert "Conversation deleted." in deleted.content.decode()
    with tenant_context(acme):
        assert not Conversation.objects.filter(pk=mine.pk).exists()
        assert Conversation.objects.filter(pk=theirs.pk).exists()
    assert client.get(f"{base(acme)}conversation/{mine.pk}/delete").status_code == 404


def test_a_person_searches_their_own_conversations_by_title_and_content(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina, otto = (make_user(n, roles={acme: "member"}) for n in ("nina", "otto"))
    titled = conversation(acme, nina.pk, "Parcel tracking")
    asked = conversation(acme, nina.pk, "Shipping question")
    conversation(acme, nina.pk, "Holiday rota")
    conversation(acme, otto.pk, "Customs forms")  # Otto's: never in Nina's results
    with tenant_context(acme):
        services.add_question(asked, "Do I need a CUSTOMS declaration?")
        edited = services.add_question(titled, "Which customs form?")
        edited.superseded = True  # edited away: no longer in the conversation
        edited.save()
    client = signed_in(nina)

    def listed(search: str) -> list[str]:
        page = client.get(base(acme), {"q": search}).content.decode()
        return sorted(set(re.findall(r'data-conversation="([0-9a-f-]{36})"', page)))

    assert listed("customs") == [str(asked.pk)]  # found by what was asked, in any case
    assert listed("  parcel ") == [str(titled.pk)]  # by its title
    assert listed("nothing like it") == []
    page = client.get(base(acme), {"q": "nothing like it"}).content.decode()
    assert "No conversation of yours mentions" in page and "Show all" in page
    assert len(listed("")) == 3


def test_the_page_is_titled_after_the_open_conversation_and_one_model_is_no_dead_end(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    opened = conversation(acme, nina.pk, "Parcel tracking")
    page = signed_in(nina).get(base(acme), {"conversation": opened.pk}).content.decode()
    assert re.search(r"<title>\s*Parcel tracking · Playground · ", page)
    # Compare with a single model explains why, and where another one is asked for.
    assert "only one chat model" in page and f'href="/t/{acme.slug}/models/"' in page
    assert "data-compare-select" not in page


def test_a_comparison_reopens_for_its_owner_only(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina, otto = (make_user(n, roles={acme: "member"}) for n in ("nina", "otto"))
    grouped = uuid.uuid4()
    with tenant_context(acme):
        compared = [
            services.start_conversation(
                owner_id=nina.pk,
                first_prompt="Sea colours",
                model=model,
                system_prompt="",
                parameters={},
                knowledge_base_id=None,
                comparison_id=grouped,
            )
            for model in (CHAT, "team-model")
        ]
    conversation(acme, nina.pk, "Not compared")
    page = signed_in(nina).get(base(acme), {"comparison": str(grouped)})
    assert page.status_code == 200
    shown = page.content.decode()
    assert re.search(r"<title>\s*Comparison: Sea colours · Playground", shown)
    config = json.loads(re.search(r'id="playground-config"[^>]*>(.*?)</script>', shown).group(1))
    assert config["comparison"] == [str(c.pk) for c in compared]
    assert shown.count(f'href="{base(acme)}?comparison={grouped}"') == 2  # "side by side"
    assert signed_in(otto).get(base(acme), {"comparison": str(grouped)}).status_code == 404
    assert signed_in(nina).get(base(acme), {"comparison": "not-a-uuid"}).status_code == 404


def test_templates_are_versioned_and_shared_inside_the_tenant(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    ana = signed_in(make_user("ana", roles={acme: "member"}))
    ben = signed_in(make_user("ben", roles={acme: "member"}))
    gus = signed_in(make_user("gus", roles={globex: "member"}))
    templates = f"{base(acme)}templates/"

    body = "Write to {{customer_name}} about {{ issue }}."
    first = ana.post(templates, {"name": "Complaint reply", "body": body})
    with tenant_context(acme):
        template = PromptTemplate.objects.get(name="Complaint reply")
    assert first.status_code == 302 and first["Location"] == f"{templates}{template.pk}/"

    # Ben, in the same tenant, sees Ana's template and saves a second version of it.
    listing = ben.get(templates).content.decode()
    assert "Complaint reply" in listing and "customer_name" in listing and "Version 1" in listing
    ben.post(templates, {"name": "Complaint reply", "body": "Reply kindly to {{customer_name}}."})
    ben.post(templates, {"name": "Complaint reply", "body": "Reply kindly to {{customer_name}}."})
    detail = ben.get(f"{templates}{template.pk}/").content.decode()
    assert "Version 2" in detail and "by ben" in detail and "by ana" in detail
    assert "Version 3" not in detail  # the same text again is no new version
    with tenant_context(acme):
        assert [v.number for v in template.versions.all()] == [2, 1]

    refused = ben.post(templates, {"name": "Empty", "body": "  "})
    assert refused.status_code == 400 and "write the prompt" in refused.content.decode()

    # Filling uses the current version; a missing variable is said plainly.
    fill = f"{templates}{template.pk}/fill"
    filled = ana.post(fill, {"values": {"customer_name": "Ms Rivera"}},
                      content_type="application/json")  # fmt: skip
    assert filled.json() == {"prompt": "Reply kindly to Ms Rivera."}
    assert ana.post(fill, "{not json", content_type="application/json").status_code == 400
    missing = ana.post(fill, {"values": {}}, content_type="application/json")
    assert missing.status_code == 400
    assert "Fill in customer_name" in missing.json()["error"]["message"]
    playground = ana.get(base(acme)).content.decode()
    assert "Complaint reply" in playground and "customer_name" in playground

    # Another tenant has none of it.
    assert "Complaint reply" not in gus.get(f"{base(globex)}templates/").content.decode()
    assert gus.get(f"{base(globex)}templates/{template.pk}/").status_code == 404
    assert gus.post(f"{base(globex)}templates/{template.pk}/fill", {"values": {}},
                    content_type="application/json").status_code == 404  # fmt: skip
    assert gus.get(f"{templates}").status_code == 404


def test_the_pages_queries_do_not_grow_with_conversations_and_templates(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    client = signed_in(nina)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(base(acme)).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert client.get(f"{base(acme)}templates/").status_code == 200
        return len(page), len(listing)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            conversation(acme, nina.pk, f"Question {n}")
            with tenant_context(acme):
                services.save_template(name=f"T{n}", body=f"{{{{a}}}} {n}", actor="nina")
                services.save_template(name=f"T{n}", body=f"{{{{b}}}} {n}", actor="nina")

    add(1, 0)
    queries()  # warm the caches the first request fills
    few = queries()
    add(5, 1)
    assert queries() == few
