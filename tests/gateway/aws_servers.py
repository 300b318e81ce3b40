"""Loopback servers that speak the real REST protocols of bedrock-runtime and sagemaker-runtime,
including the `application/vnd.amazon.eventstream` framing of their streams. boto3 reaches them
through `endpoint_url`; botocore's own event-stream parser judges the framing."""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from tests.gateway.upstreams import _act, _whole_act, instance_of

BLOCKS = {"text", "image", "toolUse", "toolResult"}
IMAGE_FORMATS = {"png", "jpeg", "gif", "webp"}
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return (
        struct.pack("B", len(raw_name)) + raw_name + b"\x07"
        + struct.pack(">H", len(raw_value)) + raw_value
    )  # fmt: skip


def event_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message: prelude (lengths + CRC), headers, payload, message CRC."""
    raw_headers = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", binascii.crc32(prelude))
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", binascii.crc32(body))


def _tool_config_problem(config: dict[str, Any]) -> str | None:
    tools = config.get("tools")
    if not isinstance(tools, list) or not tools:
        return "toolConfig.tools must have at least 1 member."
    names = []
    for tool in tools:
        spec = tool.get("toolSpec") or {}
        if not TOOL_NAME.match(str(spec.get("name", ""))):
            return "toolConfig.tools.toolSpec.name is not a valid tool name."
        if not isinstance((spec.get("inputSchema") or {}).get("json"), dict):
            return "toolConfig.tools.toolSpec.inputSchema.json must be a JSON object."
        if "description" in spec and not spec["description"]:
            return "toolConfig.tools.toolSpec.description must not be empty."
        names.append(spec["name"])
    if len(set(names)) != len(names):
        return "The tool names must be unique."
    choice = config.get("toolChoice")
    if choice is not None:
        if len(choice) != 1 or next(iter(choice)) not in {"auto", "any", "tool"}:
            return "toolConfig.toolChoice must set exactly one of auto, any, tool."
        if "tool" in choice and choice["tool"].get("name") not in names:
            return "toolConfig.toolChoice.tool.name is not among the tools."
    return None


def _block_problem(block: dict[str, Any], where: str) -> str | None:
    if len(block) != 1 or next(iter(block)) not in BLOCKS:
        return f"{where} must set exactly one of {sorted(BLOCKS)}."
    if "text" in block and not block["text"].strip():
        return f"The text field in the ContentBlock object at {where} is blank."
    if "image" in block:
        image = block["image"]
        if image.get("format") not in IMAGE_FORMATS:
            return f"{where}.image.format must be one of {sorted(IMAGE_FORMATS)}."
        try:
            base64.b64decode(image["source"]["bytes"], validate=True)
        except (KeyError, TypeError, ValueError):
            return f"{where}.image.source.bytes must be base64 bytes."
    if "toolUse" in block and not isinstance(block["toolUse"].get("input"), dict):
        return f"{where}.toolUse.input must be a JSON object."
    return None


def converse_problem(request: dict[str, Any]) -> str | None:
    """What the real Converse would answer a ValidationException for, in what Atrium sends:
    alternating turns starting with the user, well-formed blocks, a toolConfig whenever tool
    blocks are used, every toolUse answered by a toolResult in the next turn and no other."""
    messages = request.get("messages") or []
    if not messages or messages[0].get("role") != "user":
        return "A conversation must start with a user message."
    uses_tools = False
    for index, message in enumerate(messages):
        expected = "user" if index % 2 == 0 else "assistant"
        if message.get("role") != expected:
            return "A conversation must alternate between user and assistant roles."
        for number, block in enumerate(message.get("content") or []):
            problem = _block_problem(block, f"messages.{index}.content.{number}")
            if problem:
                return problem
            uses_tools = uses_tools or "toolUse" in block or "toolResult" in block
        asked = {b["toolUse"]["toolUseId"] for b in message["content"] if "toolUse" in b}
        following = messages[index + 1]["content"] if index + 1 < len(messages) else []
        answered = {b["toolResult"]["toolUseId"] for b in following if "toolResult" in b}
        if asked and index + 1 < len(messages) and asked != answered:
            return f"messages.{index + 1} must answer each toolUse of messages.{index}."
        if message["role"] == "user" and index > 0:
            before = {b["toolUse"]["toolUseId"] for b in messages[index - 1]["content"]
                      if "toolUse" in b}  # fmt: skip
            results = {b["toolResult"]["toolUseId"] for b in message["content"]
                       if "toolResult" in b}  # fmt: skip
            if not results <= before:
                return f"messages.{index} has a toolResult for no toolUse of the turn before."
    config = request.get("toolConfig")
    if uses_tools and config is None:
        return "The toolConfig field must be defined when using toolUse and toolResult blocks."
    if config is not None:
        problem = _tool_config_problem(config)
        if problem:
            return problem
    native = (request.get("additionalModelRequestFields") or {}).get("tool_choice")
    if native is not None:  # merged into Claude's own request: it must agree with toolChoice
        member = next(iter((config or {}).get("toolChoice") or {"auto": {}}))
        if native.get("type") != member:
            return "The model returned the following errors: tool_choice conflicts with toolConfig."
    return None


def converse_act(request: dict[str, Any], words: list[str]) -> tuple[list[dict[str, Any]], str]:
    """(content blocks, stopReason) as a model that follows its tools would answer: a toolResult
    in the last turn is reported back; otherwise, with tools, the tools named in the last turn
    (the forced one, or the first) are called with input valid for their schema — after a line of
    text unless a tool is forced, as Claude does; without tools, the loopback's words."""
    messages = request["messages"]
    last = messages[-1]["content"]
    results = [b["toolResult"] for b in last if "toolResult" in b]
    config = request.get("toolConfig")
    if config and not results:
        specs = [tool["toolSpec"] for tool in config["tools"]]
        choice = config.get("toolChoice") or {"auto": {}}
        said = " ".join(b.get("text", "") for b in last)
        chosen = [spec for spec in specs if spec["name"] in said] or specs[:1]
        if "tool" in choice:
            chosen = [spec for spec in specs if spec["name"] == choice["tool"]["name"]]
        native = (request.get("additionalModelRequestFields") or {}).get("tool_choice") or {}
        if native.get("disable_parallel_tool_use"):
            chosen = chosen[:1]
        blocks: list[dict[str, Any]] = [] if "auto" not in choice else [{"text": "Let me check."}]
        blocks += [
            {"toolUse": {"toolUseId": f"tooluse_{n}_{spec['name']}", "name": spec["name"],
                         "input": instance_of(spec["inputSchema"]["json"])}}
            for n, spec in enumerate(chosen)
        ]  # fmt: skip
        return blocks, "tool_use"
    if results:
        said = [piece.get("text", "") for result in results for piece in result["content"]]
        return [{"text": "The tools said: " + "; ".join(said)}], "end_turn"
    return [{"text": "".join(words)}], "end_turn"


def event(name: str, data: dict[str, Any]) -> bytes:
    return event_frame(
        {":message-type": "event", ":event-type": name, ":content-type": "application/json"},
        json.dumps(data).encode(),
    )


def exception_event(name: str, message: str) -> bytes:
    return event_frame(
        {":message-type": "exception", ":exception-type": name,
         ":content-type": "application/json"},
        json.dumps({"message": message}).encode(),
    )  # fmt: skip


def rerank_problem(request: dict[str, Any]) -> str | None:
    """What Bedrock's Rerank would refuse in `request` (a ValidationException), or None."""
    queries = request.get("queries")
    if not (isinstance(queries, list) and len(queries) == 1 and queries[0].get("type") == "TEXT"
            and isinstance(queries[0].get("textQuery", {}).get("text"), str)):  # fmt: skip
        return "queries: exactly one TEXT query with textQuery.text"
    sources = request.get("sources")
    if not isinstance(sources, list) or not 1 <= len(sources) <= 1000:
        return "sources: 1 to 1000 sources"
    for source in sources:
        inline = source.get("inlineDocumentSource", {})
        if (
            source.get("type") != "INLINE"
            or inline.get("type") != "TEXT"
            or not isinstance(inline.get("textDocument", {}).get("text"), str)
        ):
            return "sources: INLINE sources with a TEXT textDocument"
    config = request.get("rerankingConfiguration", {})
    bedrock = config.get("bedrockRerankingConfiguration", {})
    arn = bedrock.get("modelConfiguration", {}).get("modelArn", "")
    if config.get("type") != "BEDROCK_RERANKING_MODEL" or not arn.startswith("arn:aws:bedrock:"):
        return "rerankingConfiguration: BEDROCK_RERANKING_MODEL with a model ARN"
    if not 1 <= bedrock.get("numberOfResults", 1) <= len(sources):
        return "numberOfResults: from 1 to the number of sources"
    return None


class AwsLoopback:
    """Bedrock and SageMaker in one server; tests set what it answers and read what it got."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.images: list[tuple[str, bytes]] = []  # (format, bytes) of each image Converse got
        self.error: tuple[int, str] | None = None  # (status, x-amzn-ErrorType)
        self.error_message = ""  # the error's message (default: "<ErrorType> from test")
        self.sagemaker_body: bytes | None = None  # a SageMaker answer sent as it is
        # False: a SageMaker stream ends on its usage line, with no newline and no [DONE] after
        self.sagemaker_stream_closed = True
        self.words = ["Bonjour", " le", " monde"]
        self.piece_delay = 0.0
        # Cleared: each stream waits before its last frame until it is set again.
        self.streams_released = threading.Event()
        self.streams_released.set()
        self.mid_stream_error: str | None = None
        # Answers sent as they are: Converse's, ConverseStream's frames, Cohere Embed's (for
        # any texts), Rerank's results.
        self.converse_answer: dict[str, Any] | None = None
        self.stream_frames: list[bytes] | None = None
        self.cohere_answer: dict[str, Any] | None = None
        self.rerank_results: list[dict[str, Any]] | None = None
        # ApplyGuardrail's answer, or what makes it from the text sent: None lets it pass.
        self.guardrail: dict[str, Any] | Callable[[str], dict[str, Any] | None] | None = None
        self.stopped_early = threading.Event()
        aws = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                path = unquote(self.path)
                aws.calls.append(
                    {"path": path, "body": body, "auth": self.headers["Authorization"]}
                )
                if aws.error:
                    status, kind = aws.error
                    self._send(
                        status,
                        json.dumps({"message": aws.error_message or f"{kind} from test"}).encode(),
                        {"x-amzn-ErrorType": kind, "Content-Type": "application/json"},
                    )
                    return
                if match := re.fullmatch(r"/model/(.+)/converse", path):
                    self._converse(match[1], json.loads(body))
                elif match := re.fullmatch(r"/model/(.+)/converse-stream", path):
                    self._converse_stream(json.loads(body))
                elif match := re.fullmatch(r"/model/(.+)/invoke", path):
                    self._invoke(match[1], json.loads(body))
                elif re.fullmatch(r"/endpoints/(.+)/invocations", path):
                    self._sagemaker(json.loads(body))
                elif re.fullmatch(r"/endpoints/(.+)/invocations-response-stream", path):
                    self._sagemaker_stream()
                elif path == "/rerank":
                    self._rerank(json.loads(body))
                elif re.fullmatch(r"/guardrail/(.+)/version/(.+)/apply", path):
                    answer = aws.guardrail
                    if callable(answer):
                        answer = answer(json.loads(body)["content"][0]["text"]["text"])
                    self._json(answer or {"action": "NONE", "outputs": [], "assessments": []})
                else:
                    self._send(404, b"{}", {"Content-Type": "application/json"})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, data: dict[str, Any]) -> None:
                self._send(200, json.dumps(data).encode(), {"Content-Type": "application/json"})

            def _invalid(self, request: dict[str, Any]) -> bool:
                """Answer a ValidationException, as Converse does, to a malformed request."""
                problem = converse_problem(request)
                if problem:
                    self._send(
                        400,
                        json.dumps({"message": problem}).encode(),
                        {"x-amzn-ErrorType": "ValidationException",
                         "Content-Type": "application/json"},
                    )  # fmt: skip
                    return True
                for message in request["messages"]:
                    for block in message["content"]:
                        if "image" in block:
                            image = block["image"]
                            raw = base64.b64decode(image["source"]["bytes"])
                            aws.images.append((image["format"], raw))
                return False

            def _converse(self, model: str, request: dict[str, Any]) -> None:
                if self._invalid(request):
                    return
                if aws.converse_answer is not None:
                    self._json(aws.converse_answer)
                    return
                blocks, stop = converse_act(request, aws.words)
                self._json({
                    "output": {"message": {"role": "assistant", "content": blocks}},
                    "stopReason": stop,
                    "usage": {"inputTokens": 12, "outputTokens": 3, "totalTokens": 15},
                    "metrics": {"latencyMs": 42},
                })  # fmt: skip

            def _stream(self, frames: list[bytes]) -> None:
                """Each frame in its own HTTP chunk, as AWS sends them."""
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.amazon.eventstream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for number, frame in enumerate(frames):
                        if number == len(frames) - 1:
                            aws.streams_released.wait(timeout=60)
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                        self.wfile.flush()
                        time.sleep(aws.piece_delay)
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    aws.stopped_early.set()

            def _act_stream(self, request: dict[str, Any]) -> None:
                """The acting answer as ConverseStream events: text in words, each toolUse as
                contentBlockStart (id, name) and its input JSON in three contentBlockDeltas."""
                blocks, stop = converse_act(request, aws.words)
                frames = [event("messageStart", {"role": "assistant"})]
                for index, block in enumerate(blocks):
                    if "toolUse" in block:
                        use = block["toolUse"]
                        start = {"toolUse": {"toolUseId": use["toolUseId"], "name": use["name"]}}
                        opening = {"start": start, "contentBlockIndex": index}
                        frames.append(event("contentBlockStart", opening))
                        text = json.dumps(use["input"])
                        third = max(1, len(text) // 3)
                        pieces = [{"toolUse": {"input": text[i : i + third]}}
                                  for i in range(0, len(text), third)]  # fmt: skip
                    else:
                        text = block["text"]
                        pieces = [{"text": text[i : i + 7]} for i in range(0, len(text), 7)]
                    frames += [event("contentBlockDelta", {"delta": piece,
                                                           "contentBlockIndex": index})
                               for piece in pieces]  # fmt: skip
                    frames.append(event("contentBlockStop", {"contentBlockIndex": index}))
                frames += [
                    event("messageStop", {"stopReason": stop}),
                    event("metadata", {"usage": {"inputTokens": 30, "outputTokens": 9,
                                                 "totalTokens": 39},
                                       "metrics": {"latencyMs": 42}}),
                ]  # fmt: skip
                self._stream(frames)

            def _converse_stream(self, request: dict[str, Any]) -> None:
                if self._invalid(request):
                    return
                if aws.stream_frames is not None:
                    self._stream(aws.stream_frames)
                    return
                last = request["messages"][-1]["content"]
                if request.get("toolConfig") or any("toolResult" in b for b in last):
                    self._act_stream(request)
                    return
                frames = [
                    event("messageStart", {"role": "assistant"}),
                ]
                for word in aws.words:
                    frames.append(
                        event(
                            "contentBlockDelta", {"delta": {"text": word}, "contentBlockIndex": 0}
                        )
                    )
                if aws.mid_stream_error:
                    frames.append(exception_event(aws.mid_stream_error, "stream broke"))
                else:
                    frames += [
                        event("contentBlockStop", {"contentBlockIndex": 0}),
                        event("messageStop", {"stopReason": "max_tokens"}),
                        event("metadata", {"usage": {"inputTokens": 12, "outputTokens": 3,
                                                     "totalTokens": 15},
                                           "metrics": {"latencyMs": 42}}),
                    ]  # fmt: skip
                self._stream(frames)

            def _invoke(self, model: str, request: dict[str, Any]) -> None:
                if model.startswith("cohere.") and aws.cohere_answer is not None:
                    self._json(aws.cohere_answer)
                elif model.startswith("cohere."):
                    self._json({"embeddings": [[0.1, 0.2, 0.3] for _ in request["texts"]]})
                else:
                    self._json({"embedding": [len(request["inputText"]) / 10, 0.5],
                                "inputTextTokenCount": 4})  # fmt: skip

            def _sagemaker(self, request: dict[str, Any]) -> None:
                if aws.sagemaker_body is not None:
                    self._send(200, aws.sagemaker_body, {"Content-Type": "application/json"})
                    return
                if request.get("tools") or request.get("response_format"):
                    self._json(_whole_act(_act(request)))  # the Messages API acts on tools
                    return
                self._json({
                    "choices": [{"message": {"role": "assistant", "content": "triaged: urgent"},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 20, "completion_tokens": 3},
                })  # fmt: skip

            def _sagemaker_stream(self) -> None:
                lines = []
                for word in aws.words:
                    piece = {"choices": [{"delta": {"content": word}, "finish_reason": None}]}
                    lines.append(f"data: {json.dumps(piece)}\n\n")
                lines.append(
                    "data: "
                    + json.dumps(
                        {
                            "choices": [{"delta": {}, "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 20, "completion_tokens": 3},
                        }
                    )
                    + "\n\n"
                )
                if aws.sagemaker_stream_closed:
                    lines.append("data: [DONE]\n\n")
                else:
                    lines[-1] = lines[-1].rstrip("\n")
                raw = "".join(lines).encode()
                # Payload parts cut at arbitrary places, as real endpoints do.
                parts = [raw[i : i + 37] for i in range(0, len(raw), 37)]
                headers = {":message-type": "event", ":event-type": "PayloadPart",
                           ":content-type": "application/octet-stream"}  # fmt: skip
                self._stream([event_frame(headers, part) for part in parts])

            def _rerank(self, request: dict[str, Any]) -> None:
                """bedrock-agent-runtime Rerank: each source scored by the share of the query's
                words it contains (a stand-in for the model), best first."""
                problem = rerank_problem(request)
                if problem:
                    self._send(400, json.dumps({"message": problem}).encode(),
                               {"x-amzn-ErrorType": "ValidationException",
                                "Content-Type": "application/json"})  # fmt: skip
                    return
                if aws.rerank_results is not None:
                    self._json({"results": aws.rerank_results})
                    return
                words = set(re.findall(r"\w+", request["queries"][0]["textQuery"]["text"].lower()))
                texts = [s["inlineDocumentSource"]["textDocument"]["text"]
                         for s in request["sources"]]  # fmt: skip
                scores = [len(words & set(re.findall(r"\w+", t.lower()))) / len(words or {""})
                          for t in texts]  # fmt: skip
                order = sorted(range(len(texts)), key=lambda i: -scores[i])
                wanted = request["rerankingConfiguration"]["bedrockRerankingConfiguration"].get(
                    "numberOfResults", len(texts)
                )
                self._json({"results": [{"index": i, "relevanceScore": scores[i]}
                                        for i in order[:wanted]]})  # fmt: skip

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
