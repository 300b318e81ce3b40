"""Searching the invocation log (the page and the JSON Lines export) reads the prompts' and
answers' text, never the JSON the messages are kept in: every record has "role", "user" and
"content" keys, and a search for them used to find them all."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from guardrails.models import InvocationRecord

pytestmark = pytest.mark.django_db

RECORDS = [  # (prompt, answer)
    ("Capital of France?", "Paris"),
    ("Ask the user for a date", "Sure"),
    ("Who signs off?", "The USER's manager"),
    ('Say "hi" twice', "hi hi"),
]


def test_search_reads_the_text_not_the_keys(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    with tenant_context(acme):
        for n, (prompt, answer) in enumerate(RECORDS):
            InvocationRecord.objects.create(
                request_id=f"chatcmpl-search{n}", created_at=timezone.now(), model="m",
                principal="user:ada", operation="Converse", status="ok", output_text=answer,
                input_messages=[{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": prompt}],
            )  # fmt: skip
    admin = Client()
    admin.force_login(make_user("ada", roles={acme: "admin"}))

    def exported(query: str) -> list[str]:
        export = admin.get(f"/t/{acme.slug}/invocations.jsonl", {"q": query})
        lines = b"".join(export.streaming_content).decode().splitlines()
        return [json.loads(line)["input"]["inputBodyJson"]["messages"][1]["content"]
                for line in lines]  # fmt: skip

    page = admin.get(f"/t/{acme.slug}/invocations/", {"q": "user"}).content.decode()
    assert "Capital of France?" not in page and "Say &quot;hi&quot; twice" not in page
    assert "Ask the user for a date" in page and "Who signs off?" in page  # prompt, answer
    assert sorted(exported("user")) == ["Ask the user for a date", "Who signs off?"]
    assert exported("content") == exported("role") == []
    assert exported('"hi"') == ['Say "hi" twice']  # the text as written, not JSON-escaped
    assert len(exported("brief")) == len(RECORDS)  # a system prompt is content too
