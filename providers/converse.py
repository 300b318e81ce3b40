"""OpenAI's chat contract in Amazon Bedrock's Converse API, and Converse's answers back in ours.

Converse has tools (`toolConfig`, `toolUse` and `toolResult` blocks, tool events in
ConverseStream), images (bytes, not URLs) and no JSON mode: structured output is the documented
tool-use pattern, one forced tool whose input schema is the response schema, whose input becomes
the answer's text. What Converse cannot do for a model is refused with a 400 naming the field."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidInput
from providers.errors import UnusableAnswer
from providers.types import (
    ChatChunk,
    ChatRequest,
    ChatResult,
    ImagePart,
    Message,
    ResponseFormat,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
    reported_tokens,
)

DATA_URL = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.S)
# Cross-region inference profiles put a geography before the model id (us.anthropic.claude-...).
GEOGRAPHY = re.compile(r"^(us|eu|apac|global|us-gov|jp|au|ca)\.(?=[a-z0-9-]+\.)")
# OpenAI's tool_choice values and the Converse toolChoice member each becomes.
CHOICES = (("auto", "auto"), ("required", "any"), ("a named function", "tool"))
# Converse's stopReason values (end_turn and stop_sequence are "stop"), as OpenAI's finish
# reasons; those in MALFORMED end an answer that cannot be passed on (a 502, billed).
FINISH = {
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}
MALFORMED = {
    "malformed_model_output": "an answer it could not read",
    "malformed_tool_use": "a tool call that is not valid JSON for its schema",
}


@dataclass(frozen=True)
class ToolAbilities:
    """What Converse lets a model family do with tools, from Bedrock's ToolChoice reference and
    the model providers' guides: `tool_choices` are the toolChoice members it takes (auto is the
    default, never sent)."""

    tool_choices: frozenset[str] = frozenset({"auto"})
    # Anthropic's own `tool_choice` (with disable_parallel_tool_use) travels in
    # additionalModelRequestFields, which Bedrock merges into Claude's native request.
    anthropic: bool = False


CLAUDE = ToolAbilities(frozenset({"auto", "any", "tool"}), anthropic=True)
NOVA = ToolAbilities(frozenset({"auto", "any", "tool"}))  # Nova calls a named tool once
MISTRAL_LARGE = ToolAbilities(frozenset({"auto", "any"}))
OTHERS = ToolAbilities()


def abilities_of(model_id: str) -> ToolAbilities:
    """The family of a Bedrock model id, an inference profile id or either's ARN."""
    base = GEOGRAPHY.sub("", model_id.rsplit("/", 1)[-1])
    if base.startswith("anthropic."):
        return CLAUDE
    if base.startswith("amazon.nova"):
        return NOVA
    if base.startswith("mistral.mistral-large"):
        return MISTRAL_LARGE
    return OTHERS


@dataclass(frozen=True)
class ConverseCall:
    """The arguments of one Converse/ConverseStream call, and how to read its answer: with
    `answer_tool`, the answer is that forced tool's input (structured output), not a call."""

    arguments: dict[str, Any]
    answer_tool: str | None = None


def _refuse(param: str, message: str) -> InvalidInput:
    return InvalidInput(f"{param}: {message}", param=param)


def _image(part: ImagePart, where: str, number: int, what: str) -> dict[str, Any]:
    """Part `number` of content `where` as an image block (bytes)."""
    if part.detail not in (None, "auto"):  # Converse has no such setting: it sees the image whole
        raise _refuse(
            f"{where}[{number}].image_url.detail",
            f"{what} reads images at one level of detail: send auto, or leave it out.",
        )
    found = DATA_URL.match(part.url)
    if found is None:  # an https URL the platform lets through: Bedrock takes bytes only
        raise _refuse(where, f"{what} takes images as bytes: send a data URL, not a link.")
    kind = "jpeg" if found[1] == "jpg" else found[1]
    return {"image": {"format": kind, "source": {"bytes": base64.b64decode(found[2])}}}


def _tool_input(arguments: str, where: str) -> Any:
    """A call's arguments as the JSON object Converse keeps in a toolUse block."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        raise _refuse(where, "must be the JSON object the model wrote.") from None
    if not isinstance(value, dict):
        raise _refuse(where, "must be a JSON object.")
    return value


def _blocks(message: Message, index: int, what: str) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [{"toolResult": {"toolUseId": message.tool_call_id,
                                "content": [{"text": message.content}]}}]  # fmt: skip
    blocks: list[dict[str, Any]] = []
    for number, part in enumerate(message.parts):
        if isinstance(part, TextPart) and part.text:
            blocks.append({"text": part.text})
        elif isinstance(part, ImagePart):
            blocks.append(_image(part, f"messages[{index}].content", number, what))
    if not message.parts and (message.content or not message.tool_calls):
        blocks.append({"text": message.content})
    for number, call in enumerate(message.tool_calls):
        where = f"messages[{index}].tool_calls[{number}].function.arguments"
        blocks.append({"toolUse": {"toolUseId": call.id, "name": call.name,
                                   "input": _tool_input(call.arguments, where)}})  # fmt: skip
    return blocks


def _messages(request: ChatRequest, what: str) -> list[dict[str, Any]]:
    """Converse's turns: tool results are user turns, and consecutive turns of one role merge
    into one (Converse wants user and assistant to alternate)."""
    messages: list[dict[str, Any]] = []
    for index, message in enumerate(request.messages):
        if message.role == "system":
            continue
        role = "user" if message.role == "tool" else message.role
        blocks = _blocks(message, index, what)
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})
    return messages


def _tool_config(request: ChatRequest, abilities: ToolAbilities, what: str) -> dict[str, Any]:
    """`toolConfig`, and `additionalModelRequestFields` when Claude is held to one call."""
    used_before = any(m.tool_calls or m.role == "tool" for m in request.messages)
    choice = request.tool_choice
    mode = choice.mode if choice is not None else "auto"
    if not request.tools:
        if used_before:  # Converse refuses toolUse/toolResult blocks without toolConfig
            raise _refuse("tools", f"{what} needs the tools this conversation called: send them.")
        return {}
    if mode == "none":
        if used_before:
            raise _refuse(
                "tool_choice",
                f"{what} has no tool_choice none, and a conversation that already called "
                "tools must offer them: use auto, or drop the earlier tool calls.",
            )
        return {}  # Converse's way to say none: the model is not offered the tools
    member = dict(CHOICES)["a named function" if mode == "function" else mode]
    if member not in abilities.tool_choices:
        asked = f"the function {choice.name}" if choice and choice.name else "a tool"
        offered = ", ".join(name for name, kind in CHOICES if kind in abilities.tool_choices)
        raise _refuse(
            "tool_choice", f"{what} cannot be made to call {asked}: it takes tool_choice {offered}."
        )
    tools = []
    for tool in request.tools:
        spec: dict[str, Any] = {"name": tool.name, "inputSchema": {"json": tool.parameters}}
        if tool.description:  # Converse refuses an empty description
            spec["description"] = tool.description
        tools.append({"toolSpec": spec})
    config: dict[str, Any] = {"tools": tools}
    if member == "any":
        config["toolChoice"] = {"any": {}}
    elif member == "tool":
        config["toolChoice"] = {"tool": {"name": choice.name if choice else ""}}
    arguments: dict[str, Any] = {"toolConfig": config}
    if request.parallel_tool_calls is False:
        if abilities.anthropic:
            anthropic: dict[str, Any] = {"type": member, "disable_parallel_tool_use": True}
            if member == "tool" and choice is not None:
                anthropic["name"] = choice.name
            arguments["additionalModelRequestFields"] = {"tool_choice": anthropic}
        elif member != "tool":
            raise _refuse(
                "parallel_tool_calls",
                f"{what} cannot be held to one tool call per answer (unless a named "
                "function is chosen with tool_choice): drop parallel_tool_calls.",
            )
    return arguments


def _answer_tool(
    request: ChatRequest, response_format: ResponseFormat, abilities: ToolAbilities, what: str
) -> tuple[dict[str, Any], str]:
    """Structured output as Bedrock documents it: one tool, forced, whose input is the answer."""
    if request.tools or any(m.tool_calls or m.role == "tool" for m in request.messages):
        raise _refuse(
            "response_format",
            f"{what} gives structured output through a forced tool, so not together with "
            "tools: send one or the other.",
        )
    if "tool" not in abilities.tool_choices:
        raise _refuse("response_format", f"{what} cannot be made to answer in JSON.")
    schema = response_format.schema or {"type": "object"}
    spec = {
        "name": response_format.name,
        "description": "Give your answer as this tool's input: a JSON value of its schema.",
        "inputSchema": {"json": schema},
    }
    config = {"tools": [{"toolSpec": spec}], "toolChoice": {"tool": {"name": spec["name"]}}}
    return {"toolConfig": config}, response_format.name


def converse_call(model_id: str, request: ChatRequest, what: str) -> ConverseCall:
    """The Converse arguments for `request`, or a 400 naming what Converse cannot carry."""
    abilities = abilities_of(model_id)
    system = [{"text": m.content} for m in request.messages if m.role == "system"]
    config: dict[str, Any] = {"maxTokens": request.max_tokens}
    if request.temperature is not None:
        config["temperature"] = request.temperature
    if request.top_p is not None:
        config["topP"] = request.top_p
    if request.stop:
        config["stopSequences"] = list(request.stop)
    arguments: dict[str, Any] = {
        "modelId": model_id,
        "messages": _messages(request, what),
        "inferenceConfig": config,
    }
    if system:
        arguments["system"] = system
    answer_tool = None
    if request.response_format is not None:
        extra, answer_tool = _answer_tool(request, request.response_format, abilities, what)
        arguments.update(extra)
    else:
        arguments.update(_tool_config(request, abilities, what))
    return ConverseCall(arguments, answer_tool)


def _finish(stop_reason: str | None, answer_tool: str | None) -> str:
    finish = FINISH.get(stop_reason or "", "stop")
    return "stop" if answer_tool and finish == "tool_calls" else finish


def _usage(raw: dict[str, Any]) -> Usage:
    """Bedrock counts prompt-cache reads and writes apart from `inputTokens`; our prompt tokens
    are all of them, each kind priced on its own."""
    cached = max(reported_tokens(raw.get("cacheReadInputTokens")), 0)
    written = max(reported_tokens(raw.get("cacheWriteInputTokens")), 0)
    fresh = reported_tokens(raw.get("inputTokens"))
    return Usage(
        prompt_tokens=fresh + cached + written if fresh >= 0 else -1,
        completion_tokens=reported_tokens(raw.get("outputTokens")),
        cached_tokens=cached,
        cache_write_tokens=written,
    )


def malformed(stop_reason: str | None, usage: Usage | None, what: str, answered: str = "") -> None:
    """UnusableAnswer (billed) when Converse stopped on an answer it calls malformed."""
    if stop_reason in MALFORMED:
        raise UnusableAnswer(
            f"{what} wrote {MALFORMED[stop_reason]} ({stop_reason}); send the request again.",
            usage=usage, answered=answered,
        )  # fmt: skip


def result_of(answer: dict[str, Any], call: ConverseCall, what: str) -> ChatResult:
    """A Converse answer as a ChatResult: toolUse blocks become tool calls (or, for structured
    output, the answer's JSON text). Structured output that a guardrail, a filter or the token
    limit stopped before the forced tool is the text there is, with that finish reason."""
    usage = _usage(answer.get("usage", {}))
    blocks = answer.get("output", {}).get("message", {}).get("content")
    if not isinstance(blocks, list):  # botocore drops a null `content`, and so its message
        raise UnusableAnswer(
            f"{what} answered without the message's content (stopReason "
            f"{answer.get('stopReason')!r}).",
            usage=usage,
        )
    uses = [block["toolUse"] for block in blocks if "toolUse" in block]
    text = "".join(block.get("text", "") for block in blocks)
    finish = _finish(answer.get("stopReason"), call.answer_tool)
    malformed(answer.get("stopReason"), usage, what, text)
    if call.answer_tool is None:
        calls = tuple(
            ToolCall(id=use["toolUseId"], name=use["name"], arguments=json.dumps(use["input"]))
            for use in uses
        )
        return ChatResult(text=text, finish_reason=finish, usage=usage, tool_calls=calls)
    answers = [use["input"] for use in uses if use.get("name") == call.answer_tool]
    if answers:  # any text beside the forced tool is the model's preamble, not the answer
        return ChatResult(text=json.dumps(answers[0]), finish_reason=finish, usage=usage)
    answered = _unanswered(finish, usage, what, text)
    return ChatResult(text=answered, finish_reason=finish, usage=usage)


def _unanswered(finish: str, usage: Usage | None, what: str, text: str) -> str:
    """The answer of structured output that never reached the forced tool: the text there is,
    where a guardrail, a filter or the token limit stopped it; else UnusableAnswer (billed)."""
    if finish in ("length", "content_filter"):
        return text
    raise UnusableAnswer(
        f"{what} did not answer in the requested JSON format.", usage=usage, answered=text
    )


@dataclass
class StreamReader:
    """ConverseStream's events as chunks. Tool calls are numbered in the order they start
    (Converse numbers every content block, text ones included); for structured output the
    forced tool's input pieces are the answer's text."""

    call: ConverseCall
    what: str
    ordinals: dict[int, int] = field(default_factory=dict)  # content block -> tool call
    stop_reason: str | None = None
    finish: str | None = None
    preamble: list[str] = field(default_factory=list)  # text beside structured output
    closed: bool = False  # the last chunk (finish reason, usage) was given

    def read(self, event: dict[str, Any]) -> ChatChunk | None:
        answering = self.call.answer_tool is not None
        if "contentBlockStart" in event:
            start = event["contentBlockStart"].get("start", {}).get("toolUse")
            if start is None:
                return None
            block = event["contentBlockStart"].get("contentBlockIndex", len(self.ordinals))
            ordinal = self.ordinals.setdefault(block, len(self.ordinals))
            if answering:
                return None
            delta = ToolCallDelta(index=ordinal, id=start["toolUseId"], name=start["name"])
            return ChatChunk(tool_calls=(delta,))
        if "contentBlockDelta" in event:
            body = event["contentBlockDelta"]
            delta = body.get("delta", {})
            if "toolUse" in delta:
                piece = delta["toolUse"].get("input", "")
                if answering:
                    return ChatChunk(text=piece) if piece else None
                ordinal = self.ordinals.setdefault(
                    body.get("contentBlockIndex", 0), len(self.ordinals)
                )
                return ChatChunk(tool_calls=(ToolCallDelta(index=ordinal, arguments=piece),))
            text = delta.get("text", "")
            if answering:  # a preamble, unless the forced tool is never called
                self.preamble.append(text)
                return None
            return ChatChunk(text=text) if text else None
        if "messageStop" in event:
            self.stop_reason = event["messageStop"].get("stopReason")
            self.finish = _finish(self.stop_reason, self.call.answer_tool)
        elif "metadata" in event:
            return self._last(_usage(event["metadata"].get("usage", {})))
        return None

    def end(self) -> ChatChunk | None:
        """The stream is over: the last chunk, if a stream that stopped (messageStop) ended
        without the metadata event that gives it; its usage is then the gateway's to count."""
        if self.closed or self.stop_reason is None:
            return None
        return self._last(None)

    def _last(self, usage: Usage | None) -> ChatChunk:
        """The finish reason and usage; an answer Converse calls malformed, or structured
        output that never reached the forced tool, is an UnusableAnswer (billed)."""
        self.closed = True
        finish = self.finish or "stop"
        malformed(self.stop_reason, usage, self.what, "".join(self.preamble))
        text = ""
        if self.call.answer_tool is not None and not self.ordinals:
            text = _unanswered(finish, usage, self.what, "".join(self.preamble))
        return ChatChunk(text=text, finish_reason=finish, usage=usage)
