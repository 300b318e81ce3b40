"""Answers in the shape of OpenAI's Responses API: the `response` object, its output items, and
the server-sent events of a streamed response, so that the openai SDK (`responses.create`,
`responses.stream`) and the OpenAI Agents SDK read them unchanged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from kernel.ids import time_ordered_hex
from providers.types import ChatChunk, ChatResult, ToolCall, Usage

INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def new_item_id(prefix: str) -> str:
    return f"{prefix}_{time_ordered_hex()}"


def message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    return {
        "id": item_id, "type": "message", "status": status, "role": "assistant",
        "content": [_text_part(text)] if status != "in_progress" else [],
    }  # fmt: skip


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def function_call_item(item_id: str, call: ToolCall, status: str) -> dict[str, Any]:
    return {
        "id": item_id, "type": "function_call", "status": status, "call_id": call.id,
        "name": call.name, "arguments": call.arguments,
    }  # fmt: skip


def output_items(result: ChatResult) -> list[dict[str, Any]]:
    """A whole answer's output: its text as one message, then one item per tool call."""
    items = [message_item(new_item_id("msg"), result.text, "completed")] if result.text else []
    items += [function_call_item(new_item_id("fc"), call, "completed")
              for call in result.tool_calls]  # fmt: skip
    return items


# The prefix of the id an input item is kept with, when it came without one.
ITEM_ID_PREFIXES = {"message": "msg", "function_call": "fc", "function_call_output": "fco"}


def with_item_id(item: dict[str, Any]) -> dict[str, Any]:
    """An input item as it is kept: with an id (OpenAI's list of input items names each, and
    pages `after` one)."""
    if item.get("id"):
        return item
    return {**item, "id": new_item_id(ITEM_ID_PREFIXES.get(item.get("type", "message"), "item"))}


def item_list(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A page of input items, as OpenAI lists them; a message's string content as one part."""
    data = [
        {**item, "type": "message", "content": [
            {"type": "output_text" if item.get("role") == "assistant" else "input_text",
             "text": item["content"]}]}
        if isinstance(item.get("content"), str) else item
        for item in items
    ]  # fmt: skip
    return {
        "object": "list", "data": data, "has_more": has_more,
        "first_id": data[0].get("id") if data else None,
        "last_id": data[-1].get("id") if data else None,
    }  # fmt: skip


def usage_body(usage: Usage) -> dict[str, Any]:
    """The Responses API's usage, with the prompt-cache and reasoning tokens providers report."""
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def status_of(finish_reason: str | None) -> tuple[str, dict[str, str] | None]:
    """(status, incomplete_details): an answer cut short is `incomplete`, saying why."""
    reason = INCOMPLETE.get(finish_reason or "")
    return ("incomplete", {"reason": reason}) if reason else ("completed", None)


def response_object(
    response_id: str, model: str, settings: dict[str, Any], *, created_at: int, status: str,
    output: list[dict[str, Any]], usage: dict[str, Any] | None = None,
    incomplete: dict[str, str] | None = None, error: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The `response` object; `settings` are the request's, as `response_request` read them."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": False,
        "error": error,
        "incomplete_details": incomplete,
        "model": model,
        "output": output,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "usage": usage,
        **settings,
    }


def sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()


class ResponseEvents:
    """The events of one streamed response, numbered in order: items opened as their first
    piece arrives (the answer's text as a message, each tool call as a function_call item),
    closed at the end, then `response.completed` (or `.incomplete`, `.failed`)."""

    def __init__(self, response_id: str, model: str, settings: dict[str, Any]) -> None:
        self.response_id, self.model, self.settings = response_id, model, settings
        self.created_at = int(time.time())
        self.sequence = 0
        self.output: list[dict[str, Any]] = []  # items as they stand, in output order
        self.message: dict[str, Any] | None = None  # the open message item, if any
        self.calls: dict[int, dict[str, Any]] = {}  # the stream's tool-call index: its item
        self.finish_reason: str | None = None

    def _event(self, kind: str, **fields: Any) -> bytes:
        event = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return sse(event)

    def _response(self, status: str, **fields: Any) -> dict[str, Any]:
        return response_object(self.response_id, self.model, self.settings,
                               created_at=self.created_at, status=status, **fields)  # fmt: skip

    def start(self) -> Iterator[bytes]:
        shell = self._response("in_progress", output=[])
        yield self._event("response.created", response=shell)
        yield self._event("response.in_progress", response=shell)

    def _open(self, item: dict[str, Any]) -> bytes:
        self.output.append(item)
        return self._event("response.output_item.added", output_index=len(self.output) - 1,
                           item={**item, "status": "in_progress"})  # fmt: skip

    def piece(self, piece: ChatChunk) -> Iterator[bytes]:
        if piece.text:
            if self.message is None:
                self.message = message_item(new_item_id("msg"), "", "in_progress")
                yield self._open(self.message)  # sent as it stands: with no content yet
                self.message["content"].append(_text_part(""))
                yield self._event("response.content_part.added", item_id=self.message["id"],
                                  output_index=len(self.output) - 1, content_index=0,
                                  part=_text_part(""))  # fmt: skip
            self.message["content"][0]["text"] += piece.text
            yield self._event("response.output_text.delta", item_id=self.message["id"],
                              output_index=self.output.index(self.message), content_index=0,
                              delta=piece.text, logprobs=[])  # fmt: skip
        for delta in piece.tool_calls:
            item = self.calls.get(delta.index)
            if item is None:
                call = ToolCall(id=delta.id or new_item_id("call"), name=delta.name or "",
                                arguments="")  # fmt: skip
                item = self.calls[delta.index] = function_call_item(
                    new_item_id("fc"), call, "in_progress")  # fmt: skip
                yield self._open(item)
            if delta.arguments:
                item["arguments"] += delta.arguments
                yield self._event("response.function_call_arguments.delta", item_id=item["id"],
                                  output_index=self.output.index(item),
                                  delta=delta.arguments)  # fmt: skip
        if piece.finish_reason:
            self.finish_reason = piece.finish_reason

    def finish(self, usage: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        """(the final response object, the events that close every item and then the
        response: completed, or incomplete saying why)."""
        status, incomplete = status_of(self.finish_reason)
        item_status = "completed" if status == "completed" else "incomplete"
        events: list[bytes] = []
        for index, item in enumerate(self.output):
            item["status"] = item_status
            if item["type"] == "message":
                part = item["content"][0]
                events.append(self._event("response.output_text.done", item_id=item["id"],
                              output_index=index, content_index=0, text=part["text"],
                              logprobs=[]))  # fmt: skip
                events.append(self._event("response.content_part.done", item_id=item["id"],
                              output_index=index, content_index=0, part=part))  # fmt: skip
            else:
                events.append(self._event("response.function_call_arguments.done",
                              item_id=item["id"], output_index=index, name=item["name"],
                              arguments=item["arguments"]))  # fmt: skip
            events.append(self._event("response.output_item.done", output_index=index, item=item))
        final = self._response(status, output=self.output, usage=usage, incomplete=incomplete)
        kind = "response.completed" if status == "completed" else "response.incomplete"
        events.append(self._event(kind, response=final))
        return final, events

    def failed(self, code: str, message: str) -> Iterator[bytes]:
        failed = self._response("failed", output=self.output,
                                error={"code": code, "message": message})  # fmt: skip
        yield self._event("response.failed", response=failed)
