"""Amazon Bedrock and SageMaker behind the gateway, through boto3 against loopback servers that
speak their REST protocols and event-stream framing."""

from __future__ import annotations

import json

import openai
import pytest

from models_catalog.models import Provider
from tests.gateway.conftest import COHERE, HAIKU, TITAN
from tests.gateway.recorded import events_of, slug_of

pytestmark = pytest.mark.django_db(transaction=True)

HELLO = [{"role": "user", "content": "Hi"}]


def test_bedrock_converse(aws_client, aws) -> None:
    answer = aws_client.chat.completions.create(
        model=HAIKU, max_tokens=50, temperature=0.3, stop=["END"],
        messages=[{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": "Say hello in French"}],
    )  # fmt: skip
    assert answer.choices[0].message.content == "Bonjour le monde"
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (12, 3)
    call = aws.calls[-1]
    assert call["path"] == f"/model/{HAIKU}/converse"
    assert "AWS4-HMAC-SHA256 Credential=AKIDTEST/" in call["auth"]
    assert "/eu-west-1/bedrock/" in call["auth"]
    sent = json.loads(call["body"])
    assert sent["system"] == [{"text": "Be brief."}]
    assert sent["inferenceConfig"] == {
        "maxTokens": 50,
        "temperature": 0.3,
        "stopSequences": ["END"],
    }


def test_bedrock_converse_stream(aws_client) -> None:
    chunks = list(aws_client.chat.completions.create(
        model=HAIKU, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Say hello in French"}],
    ))  # fmt: skip
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert texts == ["Bonjour", " le", " monde"]
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["length"]  # Bedrock's max_tokens
    assert chunks[-1].usage.completion_tokens == 3


def test_error_in_the_middle_of_a_bedrock_stream_reaches_the_client(aws_client, aws) -> None:
    aws.mid_stream_error = "modelStreamErrorException"
    with pytest.raises(openai.APIError, match="modelStreamErrorException"):
        list(aws_client.chat.completions.create(
            model=HAIKU, stream=True, messages=[{"role": "user", "content": "Hi"}],
        ))  # fmt: skip


def test_bedrock_throttling_is_429(aws_client, aws) -> None:
    aws.error = (400, "ThrottlingException")
    with pytest.raises(openai.RateLimitError):
        aws_client.chat.completions.create(
            model=HAIKU, messages=[{"role": "user", "content": "Hi"}]
        )


def test_bedrock_validation_error_is_a_400_with_its_reason_never_retried(aws_client, aws) -> None:
    # It was a 502 (upstream_error), which SDKs retry: the same refusal each time.
    aws.error = (400, "ValidationException")
    aws.error_message = "temperature: range: 0..1"
    with pytest.raises(openai.BadRequestError, match="temperature: range"):
        aws_client.chat.completions.create(model=HAIKU, messages=HELLO, temperature=1.5)
    # Streamed, refused before its first piece: the same 400, not a 200 with an error event,
    # and as uncharged as unstreamed (it was charged the prompt's counted tokens).
    with pytest.raises(openai.BadRequestError):
        aws_client.chat.completions.create(model=HAIKU, messages=HELLO, stream=True)
    assert len(aws.calls) == 2
    whole, streamed = events_of(slug_of(aws_client), 2)
    for event in (whole, streamed):
        assert (event.status, event.input_tokens, event.cost) == ("error", 0, 0)


def test_a_prompt_bedrock_finds_too_long_is_the_context_window_400(aws_client, aws) -> None:
    aws.error = (400, "ValidationException")
    aws.error_message = "Input is too long for requested model."
    with pytest.raises(openai.BadRequestError) as refused:
        aws_client.chat.completions.create(model=HAIKU, messages=HELLO)
    error = refused.value.body
    assert error["param"] == "messages" and "(its context window)" in error["message"]
    assert "Input is too long for requested model." in error["message"]


def test_a_stream_throttled_before_its_first_piece_is_a_429_with_retry_after(
    aws_client, aws, settings
) -> None:
    settings.GATEWAY_BACKOFF_SECONDS = 0.01
    aws.error = (429, "ModelNotReadyException")  # retried, as throttling is
    with pytest.raises(openai.RateLimitError) as refused:
        aws_client.chat.completions.create(model=HAIKU, messages=HELLO, stream=True)
    assert refused.value.response.headers["Retry-After"] == "2"
    assert refused.value.body["code"] == "upstream_throttled"
    assert len(aws.calls) == 1 + settings.GATEWAY_RETRIES


def test_errors_inside_a_bedrock_stream_are_read_by_their_kind(aws_client, aws, settings) -> None:
    # ConverseStream names them in camelCase with no HTTP status; they were 500s, retried.
    settings.GATEWAY_BACKOFF_SECONDS = 0.01
    aws.mid_stream_error = "throttlingException"  # after the first pieces: an error event
    with pytest.raises(openai.APIError) as failed:
        list(aws_client.chat.completions.create(model=HAIKU, messages=HELLO, stream=True))
    assert failed.value.code == "upstream_throttled"
    aws.words, aws.mid_stream_error = [], "validationException"  # before any piece: a 400
    with pytest.raises(openai.BadRequestError):
        aws_client.chat.completions.create(model=HAIKU, messages=HELLO, stream=True)
    assert len(aws.calls) == 2  # neither retried


def test_client_leaving_a_bedrock_stream_closes_it(aws_client, aws) -> None:
    aws.words, aws.piece_delay = ["word "] * 300, 0.03
    stream = aws_client.chat.completions.create(
        model=HAIKU, stream=True, messages=[{"role": "user", "content": "Talk"}]
    )
    for _ in zip(range(3), stream, strict=False):
        pass
    stream.close()
    assert aws.stopped_early.wait(10)


def test_titan_and_cohere_embeddings(aws_client, aws) -> None:
    titan = aws_client.embeddings.create(model=TITAN, input=["ab", "abcd"], encoding_format="float")
    assert [item.embedding for item in titan.data] == [[0.2, 0.5], [0.4, 0.5]]
    assert titan.usage.prompt_tokens == 8
    cohere = aws_client.embeddings.create(model=COHERE, input=["x", "y"], encoding_format="float")
    assert len(cohere.data) == 2 and cohere.usage.prompt_tokens > 0  # counted, never zero


def test_custom_model_on_a_sagemaker_endpoint(aws_client, aws) -> None:
    answer = aws_client.chat.completions.create(
        model="custom/claims", messages=[{"role": "user", "content": "Water damage, ceiling"}]
    )
    assert answer.choices[0].message.content == "triaged: urgent"
    assert aws.calls[-1]["path"] == "/endpoints/claims-endpoint-1/invocations"
    chunks = list(aws_client.chat.completions.create(
        model="custom/claims@production", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Water damage"}],
    ))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Bonjour le monde"
    assert chunks[-1].usage.prompt_tokens == 20
    assert aws.calls[-1]["path"] == "/endpoints/claims-endpoint-1/invocations-response-stream"


def test_a_sagemaker_stream_ending_without_a_newline_keeps_its_last_line(aws_client, aws) -> None:
    # The last line (here the finish reason and the usage) was dropped with the unfinished buffer.
    aws.sagemaker_stream_closed = False
    chunks = list(aws_client.chat.completions.create(
        model="custom/claims", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Water damage"}],
    ))  # fmt: skip
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (20, 3)
    (event,) = events_of(slug_of(aws_client), 1)
    assert (event.input_tokens, event.output_tokens, event.tokens_counted) == (20, 3, False)


def test_a_sagemaker_answer_that_is_not_json_is_a_502_and_billed(aws_client, aws) -> None:
    # It was a 500 (a JSONDecodeError), and the call the endpoint answered went unbilled.
    aws.sagemaker_body = b"<html>Internal error</html>"
    with pytest.raises(openai.InternalServerError, match="not JSON") as failed:
        aws_client.chat.completions.create(model="custom/claims", messages=HELLO)
    assert failed.value.status_code == 502 and len(aws.calls) == 1
    (event,) = events_of(slug_of(aws_client), 1)
    assert (event.status, event.tokens_counted) == ("error", True) and event.input_tokens > 0


def test_missing_credentials_are_named(aws_client, aws) -> None:
    Provider.objects.filter(name="bedrock").update(credentials_env="NOT_SET_ANYWHERE")
    with pytest.raises(openai.InternalServerError, match="NOT_SET_ANYWHERE_ACCESS_KEY_ID"):
        aws_client.chat.completions.create(
            model=HAIKU, messages=[{"role": "user", "content": "Hi"}]
        )
