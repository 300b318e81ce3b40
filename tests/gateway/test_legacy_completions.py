"""Legacy `POST /completions` through the openai SDK: the prompt asked of the local chat model as
one user message, answered as `text_completion` objects, whole and streamed, metered once; what
only a raw completion model could do is refused by name."""

from __future__ import annotations

import openai
import pytest

from guardrails.services import set_tenant_policy
from tests.gateway.conftest import LOCAL_CHAT
from tests.gateway.recorded import events_of

pytestmark = pytest.mark.django_db(transaction=True)

PROMPT = "What is the capital of France?"


def test_completions_whole_and_streamed_are_metered(acme_client) -> None:
    whole = acme_client.completions.create(
        model=LOCAL_CHAT, prompt=PROMPT, max_tokens=8, temperature=0
    )
    assert whole.object == "text_completion" and whole.id.startswith("cmpl-")
    assert "Paris" in whole.choices[0].text
    assert whole.choices[0].finish_reason in {"stop", "length"}
    assert whole.usage.prompt_tokens > 0 and whole.usage.completion_tokens > 0

    chunks = list(acme_client.completions.create(
        model=LOCAL_CHAT, prompt=[PROMPT], max_tokens=8, temperature=0, stream=True,
        stream_options={"include_usage": True},
    ))  # fmt: skip
    assert all(chunk.object == "text_completion" for chunk in chunks)
    assert "".join(c.choices[0].text for c in chunks if c.choices) == whole.choices[0].text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0

    first, streamed = events_of(acme_client.tenant.slug, 2)
    assert first.request_id == whole.id and not first.streamed
    assert (first.input_tokens, first.output_tokens) == (
        whole.usage.prompt_tokens, whole.usage.completion_tokens)  # fmt: skip
    assert streamed.request_id == chunks[0].id and streamed.streamed


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"echo": True}, "echo"),
        ({"n": 2}, "n"),
        ({"best_of": 3}, "best_of"),
        ({"logprobs": 2}, "logprobs"),
        ({"suffix": "The end."}, "suffix"),
        ({"prompt": ["one", "two"]}, "prompt"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"extra_body": {"guidance": 1}}, "guidance"),
    ],
)
def test_what_a_chat_model_cannot_do_is_refused_by_name(acme_client, fields, param) -> None:
    arguments = {"model": LOCAL_CHAT, "prompt": PROMPT, **fields}
    with pytest.raises(openai.BadRequestError) as refused:
        acme_client.completions.create(**arguments)
    assert refused.value.body["param"] == param
    assert events_of(acme_client.tenant.slug, 1, timeout=0.3) == []  # nothing was charged


def test_a_failure_after_admission_names_its_request(acme_client) -> None:
    """A completion blocked by the output guardrail is answered in OpenAI's shape with the
    request id that names its usage event, as on chat."""
    set_tenant_policy(tenant=acme_client.tenant, raw={"word_filters": [
        {"name": "the answer", "pattern": "Paris"}]}, actor="ada")  # fmt: skip
    with pytest.raises(openai.BadRequestError, match="the answer") as blocked:
        acme_client.completions.create(model=LOCAL_CHAT, prompt=PROMPT, max_tokens=8,
                                       temperature=0)  # fmt: skip
    (event,) = events_of(acme_client.tenant.slug, 1)
    assert blocked.value.response.headers["X-Request-Id"] == event.request_id
    assert event.output_tokens > 0  # answered, then blocked: billed
