"""Every call leaves one usage event, streamed or not, answered, failed or abandoned."""

from __future__ import annotations

from decimal import Decimal

import openai
import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from kernel.scoping import NoTenantInContext
from metering.models import UsageEvent
from tests.gateway.conftest import HAIKU, LOCAL_CHAT, LOCAL_EMBEDDINGS
from tests.gateway.recorded import events_of

pytestmark = pytest.mark.django_db(transaction=True)

HELLO = [{"role": "user", "content": "Hi"}]


def test_chat_stream_and_embeddings_are_recorded(acme_client) -> None:
    slug = acme_client.tenant.slug
    answer = acme_client.chat.completions.create(
        model=LOCAL_CHAT, messages=[{"role": "user", "content": "Capital of Italy?"}], max_tokens=5
    )
    list(acme_client.chat.completions.create(
        model=LOCAL_CHAT, messages=[{"role": "user", "content": "Hi"}], max_tokens=5, stream=True
    ))  # fmt: skip
    acme_client.embeddings.create(model=LOCAL_EMBEDDINGS, input=["one", "two"])
    chat, streamed, embedded = events_of(slug, 3)
    assert (chat.input_tokens, chat.output_tokens) == (
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
    )
    assert chat.request_id == answer.id and chat.status == "ok" and not chat.streamed
    assert chat.principal_name == "yuri" and chat.principal_type == "user"
    assert streamed.streamed and streamed.output_tokens > 0 and not streamed.tokens_counted
    assert embedded.operation == "embeddings" and embedded.input_tokens > 0
    assert chat.cost == Decimal(0) and chat.currency == "USD"  # local models are free


def test_bedrock_call_is_priced_at_the_price_in_force(aws_client, aws) -> None:
    answer = aws_client.chat.completions.create(
        model=HAIKU, messages=[{"role": "user", "content": "Hi"}]
    )
    (event,) = events_of(aws_client.base_url.path.split("/")[2], 1)
    assert event.request_id == answer.id
    assert (event.input_tokens, event.output_tokens) == (12, 3)
    assert event.input_price_per_million == Decimal("0.25")
    assert event.cost == Decimal("0.00000675")
    assert event.provider_kind == "bedrock" and event.region == "eu-west-1"


def test_failed_call_is_recorded_as_an_error(aws_client, aws) -> None:
    aws.error = (500, "InternalServerException")
    with pytest.raises(openai.InternalServerError):
        aws_client.chat.completions.create(
            model=HAIKU, messages=[{"role": "user", "content": "Hi"}]
        )
    (event,) = events_of(aws_client.base_url.path.split("/")[2], 1)
    assert event.status == "error" and "InternalServerException" in event.error


def test_abandoned_stream_is_recorded_with_counted_tokens(aws_client, aws) -> None:
    aws.words, aws.piece_delay = ["word "] * 200, 0.03
    stream = aws_client.chat.completions.create(
        model=HAIKU, stream=True, messages=[{"role": "user", "content": "Talk to me"}]
    )
    for _ in zip(range(5), stream, strict=False):
        pass
    stream.close()
    (event,) = events_of(aws_client.base_url.path.split("/")[2], 1)
    assert event.status == "cancelled"
    assert event.tokens_counted
    assert event.input_tokens > 0 and event.output_tokens > 0  # counted, never zero
    assert (
        event.cost
        == (
            event.input_tokens * event.input_price_per_million
            + event.output_tokens * event.output_price_per_million
        )
        / 1_000_000
        and event.cost > 0
    )  # and charged


def test_usage_reads_fail_closed_without_a_tenant(acme_client) -> None:
    acme_client.embeddings.create(model=LOCAL_EMBEDDINGS, input=["x"])
    events_of(acme_client.tenant.slug, 1)
    connection.set_schema_to_public()
    with pytest.raises(NoTenantInContext):
        list(UsageEvent.objects.all())
    with tenant_context(acme_client.tenant):
        assert UsageEvent.objects.count() == 1
