"""LangChain's ChatOpenAI on the Responses API (`use_responses_api=True`): a tool round trip and
a streamed answer, through the gateway to an upstream that acts on tools."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


def test_bind_tools_round_trip_on_the_responses_api(acme, upstream) -> None:
    chat = ChatOpenAI(model=MODEL, base_url=str(acme.base_url), api_key=acme.api_key,
                      use_responses_api=True, max_retries=0)  # fmt: skip
    question = HumanMessage("What is the weather in Paris? get_weather")
    asked = chat.bind_tools([get_weather]).invoke([question])
    (call,) = asked.tool_calls
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"}
    result = ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])
    answer = chat.bind_tools([get_weather]).invoke([question, asked, result])
    assert answer.text == "The tools said: Sunny in Paris"
    assert upstream.requests[-1]["body"]["messages"][-1]["role"] == "tool"

    streamed = "".join(chunk.text for chunk in chat.stream("Hi"))
    assert streamed == "w0 w1 w2 w3 w4 "
