"""Input that used to end in a 500 (#15): each is refused with a 4xx, in OpenAI's error shape
(naming the field in error.param) on the APIs and with a page saying what is wrong elsewhere.
JSON nested a thousand deep, bodies over the size limit, prompts longer than the context
window, values of the wrong JSON type, NUL characters and lone surrogates, ids that are not ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal import urls_public, urls_tenant
from tests.conftest import serving_asgi
from tests.portal.bad_input_world import World, build_world
from tests.url_routes import sample_paths

pytestmark = pytest.mark.django_db

DEEP = '{"messages": ' + "[" * 1000 + "]" * 1000 + "}"  # about 2 KB
ASK = [{"role": "user", "content": "Hello"}]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        yield from build_world()


def refusal(response: Any, status: int = 400) -> dict[str, Any]:
    """OpenAI's error object of a refusal with `status`."""
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    return error  # type: ignore[no-any-return]


def page_refusal(response: Any, words: str) -> None:
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    assert words in response.content.decode()


# --- JSON nested a thousand deep, on every endpoint that reads JSON --------------------------


def json_endpoints() -> list[str]:
    tenant = [p for p in sample_paths(urls_tenant.urlpatterns, lambda r: True) if "v1/" in p]
    platform = [
        "/" + p for p in sample_paths(urls_public.urlpatterns, lambda r: r.startswith("api/"))
    ]
    return tenant + platform


@pytest.mark.parametrize("path", json_endpoints())
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_json_nested_a_thousand_deep_is_refused_on_every_endpoint(world, path, method) -> None:
    path = path.replace("knowledge-bases/1", f"knowledge-bases/{world.kb_id}")
    response = world.api(method, path, raw=DEEP)  # (an endpoint that reads no body may pass)
    assert response.status_code < 500, response.content[:500]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "v1/chat/completions"), ("post", "v1/embeddings"), ("post", "v1/completions"),
        ("post", "v1/responses"), ("post", "v1/feedback"), ("post", "v1/knowledge-bases"),
        ("post", "v1/knowledge-bases/{kb}/retrieve"), ("put", "v1/guardrails"),
        ("post", "v1/knowledge-bases/{kb}/retrieve-and-generate"), ("put", "v1/budgets"),
        ("post", "v1/service-accounts"), ("put", "/api/guardrails/floor"),
        ("post", "/api/catalog/grants"),
    ],
)  # fmt: skip
def test_deep_json_is_a_400_that_says_so(world, method, path) -> None:
    error = refusal(world.api(method, path.format(kb=world.kb_id), raw=DEEP))
    assert "nested deeper than" in error["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [("playground/chat", DEEP), ("playground/templates/1/fill", DEEP),
     ("playground/turns/1/feedback", DEEP)],
)  # fmt: skip
def test_deep_json_from_the_playground_page_is_refused(world, path, body) -> None:
    response = world.browser().post(f"{world.base}/{path}", body, "application/json")
    assert response.status_code == 400
    assert "nested deeper than" in json.dumps(response.json())


# --- sizes -----------------------------------------------------------------------------------


def test_a_chat_body_over_the_size_limit_is_413_in_openais_shape(world, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    settings.GATEWAY_BODY_MAX_BYTES = 100_000  # chat's own (room for an image), Django's below
    big = {"model": world.chat_model, "messages": [{"role": "user", "content": "x" * 100_001}]}
    error = refusal(world.api("post", "v1/chat/completions", big), 413)
    assert "100,000 bytes" in error["message"] and error["type"] == "invalid_request_error"
    refusal(world.api("post", "v1/feedback", {"comment": "x" * 100_001}), 413)
    refusal(world.api("put", "/api/guardrails/floor", {"pii": {}, "x": "x" * 100_001}), 413)
    assert world.upstream.requests == []


def test_a_prompt_past_the_context_window_is_refused_before_any_call(world) -> None:
    two_megabytes = "All work and no play. " * 95_000
    body = {"model": world.chat_model, "messages": [{"role": "user", "content": two_megabytes}]}
    error = refusal(world.api("post", "v1/chat/completions", body))
    assert error["param"] == "messages" and "context window" in error["message"]
    assert "4,096" in error["message"]
    assert world.upstream.requests == []  # nothing sent, so nothing charged


def test_a_prompt_within_the_context_window_still_passes(world) -> None:
    body = {"model": world.chat_model, "messages": [{"role": "user", "content": "x" * 30_000}]}
    response = world.api("post", "v1/chat/completions", body)
    assert response.status_code == 200, response.content[:500]
    world.upstream.requests.clear()


def test_two_output_limits_that_disagree_are_a_400_and_a_null_one_is_no_limit(world) -> None:
    hello = {"model": world.chat_model, "messages": [{"role": "user", "content": "Hi"}]}
    error = refusal(
        world.api(
            "post",
            "v1/chat/completions",
            {**hello, "max_tokens": 10, "max_completion_tokens": 1000},
        )
    )
    assert error["param"] == "max_tokens" and "max_completion_tokens" in error["message"]
    assert world.upstream.requests == []
    # max_completion_tokens null: max_tokens is the limit, not dropped for the default.
    response = world.api(
        "post", "v1/chat/completions", {**hello, "max_tokens": 7, "max_completion_tokens": None}
    )
    assert response.status_code == 200, response.content[:500]
    assert world.upstream.requests[-1]["body"]["max_tokens"] == 7
    world.upstream.requests.clear()


# --- values of the wrong JSON type -----------------------------------------------------------

WRONG_TYPES = [
    ("post", "v1/chat/completions", {"messages": [{"role": ["user"], "content": "Hi"}]},
     "messages[0].role"),
    ("post", "v1/chat/completions", {"messages": [{"role": {"a": 1}, "content": "Hi"}]},
     "messages[0].role"),
    ("post", "v1/embeddings", {"model": "local/all-minilm-l6-v2", "input": "Hi",
     "encoding_format": []}, "encoding_format"),
    ("post", "v1/feedback", {"response_id": "chatcmpl-1", "rating": ["up"]}, "rating"),
    ("post", "v1/knowledge-bases", {"name": 12345, "isolation": "siloed",
                                    "embedding_model": "local/all-minilm-l6-v2"}, "name"),
    ("post", "v1/knowledge-bases", {"name": "X", "isolation": "siloed", "description": {"a": 1},
                                    "embedding_model": "local/all-minilm-l6-v2"}, "description"),
    ("post", "v1/knowledge-bases", {"name": "X", "isolation": "siloed", "chunking": [],
                                    "embedding_model": "local/all-minilm-l6-v2"}, "chunking"),
    ("post", "v1/knowledge-bases/{kb}/retrieve-and-generate", {"query": 5, "model": "{chat}"},
     "query"),
    ("post", "v1/knowledge-bases/{kb}/retrieve", {"query": "tools",
                                                 "filters": {"document_ids": "abc"}},
     "filters.document_ids"),
    ("put", "v1/guardrails", {"denied_topics": 1}, "denied_topics"),
    ("put", "v1/guardrails", {"word_filters": {"a": 1}}, "word_filters"),
    ("put", "/api/guardrails/floor", {"denied_topics": 1}, "denied_topics"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "param"), WRONG_TYPES)
def test_a_value_of_the_wrong_type_is_a_400_naming_it(world, method, path, body, param) -> None:
    if path == "v1/chat/completions":
        body = {"model": world.chat_model, **body}
    body = json.loads(json.dumps(body).replace("{chat}", world.chat_model))
    error = refusal(world.api(method, path.format(kb=world.kb_id), body))
    assert error["param"] == param
    assert world.upstream.requests == []


UNKNOWN_FIELDS = [
    ("post", "v1/knowledge-bases", {"name": "X", "isolation": "siloed", "chunk_size": 100,
                                    "embedding_model": "local/all-minilm-l6-v2"}, "chunk_size"),
    ("post", "v1/knowledge-bases/{kb}/retrieve", {"query": "tools", "topk": 3}, "topk"),
    ("post", "v1/knowledge-bases/{kb}/retrieve", {"query": "tools", "min_score": 0.9},
     "min_score"),
    ("post", "v1/knowledge-bases/{kb}/retrieve-and-generate",
     {"query": "tools", "model": "{chat}", "temperature": 0.2}, "temperature"),
    ("patch", "v1/knowledge-bases/{kb}", {"name": "renamed"}, "name"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "param"), UNKNOWN_FIELDS)
def test_a_field_the_endpoint_does_not_read_is_a_400_naming_it(world, method, path, body, param):
    raw = json.dumps(body).replace("{chat}", world.chat_model)
    error = refusal(world.api(method, path.format(kb=world.kb_id), raw=raw))
    assert error["param"] == param
    assert world.upstream.requests == []


# --- NUL characters and lone surrogates ------------------------------------------------------

API_TEXT = [
    ("post", "v1/chat/completions", {"model": "gpt\u0000", "messages": ASK}, "model"),
    ("post", "v1/chat/completions", {"model": "{chat}", "messages": [
        {"role": "user", "content": "a\u0000b"}]}, "messages[0].content"),
    ("post", "v1/chat/completions", {"model": "{chat}", "messages": [
        {"role": "user", "content": "a\ud800b"}]}, "messages[0].content"),
    ("post", "v1/embeddings", {"model": "local/all-minilm-l6-v2", "input": ["ok", "\u0000"]},
     "input[1]"),
    ("post", "v1/responses", {"model": "{chat}", "input": "\u0000"}, "input"),
    ("post", "v1/knowledge-bases", {"name": "Hand\u0000book", "isolation": "siloed",
                                    "embedding_model": "local/all-minilm-l6-v2"}, "name"),
    ("put", "v1/budgets", {"business_unit": "Ops\u0000", "monthly_limit": "10",
                           "currency": "USD"}, "business_unit"),
    ("post", "v1/service-accounts", {"name": "robot\u0000"}, "name"),
    ("post", "v1/knowledge-bases/{kb}/retrieve", {"query": "tools\u0000", "mode": "hybrid"},
     "query"),
    ("post", "v1/feedback", {"response_id": "chatcmpl-\u0000", "rating": "up"}, "response_id"),
    ("post", "/api/catalog/grants", {"model": "gpt\u0000", "tenants": ["x"]}, "model"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "param"), API_TEXT)
def test_unstorable_text_in_a_json_body_is_a_400_naming_the_field(
    world, method, path, body, param
) -> None:
    raw = json.dumps(body).replace("{chat}", world.chat_model)
    error = refusal(world.api(method, path.format(kb=world.kb_id), raw=raw))
    assert error["param"] == param
    assert "NUL" in error["message"] or "surrogate" in error["message"]
    assert world.upstream.requests == []


PAGE_FORMS = [
    ("knowledge/", {"name": "Hand\x00book", "isolation": "siloed"}),
    ("budgets/", {"business_unit": "Ops\x00", "monthly_limit": "10"}),
    ("service-accounts/", {"name": "robot\x00", "role": "member"}),
    ("playground/templates/", {"name": "Greeting", "body": "Hello\x00 {{name}}"}),
    ("evaluations/datasets/", {"name": "Quiz\x00"}),
    ("members/", {"action": "add", "login": "x\x00"}),
]


@pytest.mark.parametrize(("path", "form"), PAGE_FORMS)
def test_a_nul_in_a_form_field_is_a_page_naming_the_field(world, path, form) -> None:
    response = world.browser().post(f"{world.base}/{path}", form)
    field = next(name for name, value in form.items() if "\x00" in value)
    page_refusal(response, f"{field}: contains a NUL character")


def test_a_nul_in_an_uploaded_dataset_names_the_line_and_field(world) -> None:
    data = b'{"prompt": "2+2?", "expected": "4"}\n{"prompt": "a\\u0000", "expected": "b"}\n'
    response = world.browser().post(
        f"{world.base}/evaluations/datasets/",
        {"name": "Quiz", "file": SimpleUploadedFile("quiz.jsonl", data)},
    )
    assert response.status_code == 400
    assert "Line 2: prompt: contains a NUL character" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/t/ac%00me/", "/t/ac%00me/v1/models", "/t/{slug}/playground/?conversation=%00",
     "/t/{slug}/knowledge/{kb}/search?query=a%00b&mode=hybrid", "/api/catalog/models?x%00=1"],
)  # fmt: skip
def test_a_nul_in_the_path_or_query_is_a_400(world, path) -> None:
    path = path.format(slug=world.tenant.slug, kb=world.kb_id)
    response = world.browser().get(path)
    assert response.status_code == 400, response.content[:300]
    if "/v1/" in path or path.startswith("/api/"):
        assert "NUL" in refusal(response)["message"]
    else:
        page_refusal(response, "NUL character")


def test_a_nul_in_the_path_is_a_400_over_real_http_too(world) -> None:
    """uvicorn decodes %00 before the gateway's own handler sees the path."""
    with serving_asgi() as url:
        for path in ("/t/ac%00me/", "/t/ac%00me/v1/chat/completions", "/t/ac%00me/v1/models"):
            response = httpx.post(url + path, json={}) if "chat" in path else httpx.get(url + path)
            assert response.status_code == 400, (path, response.text[:300])


# --- ids that are not ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{"conversation_id": "abc"}, {"knowledge_base_id": "abc"}, {"conversation_id": 5},
     {"knowledge_base_id": ["x"]}],
)  # fmt: skip
def test_the_playground_answers_an_id_that_is_not_a_uuid_with_404(world, body) -> None:
    chat = {"prompt": "Hello", "model": world.chat_model, **body}
    response = world.browser().post(f"{world.base}/playground/chat", chat, "application/json")
    assert response.status_code == 404
    assert response.json()["error"]["message"]
    assert world.upstream.requests == []


@pytest.mark.parametrize("membership", ["abc", "", "1.5", "99999999999999999999"])
def test_the_members_page_answers_a_membership_that_is_not_an_id_with_404(
    world, membership
) -> None:
    response = world.browser().post(
        f"{world.base}/members/", {"action": "remove", "membership": membership}
    )
    assert response.status_code == 404
