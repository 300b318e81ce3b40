"""A real OpenAI-compatible HTTP server on loopback, for tests and their upstream calls."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Upstream:
    """Answers like vLLM would; records what it was sent and whether a stream was cut off."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.failures_left = -1  # fail this many times (-1: always), then answer 200
        self.stream_pieces = 5
        # What a stream says (default: "w0 ", "w1 ", ...); bytes are sent as they are.
        self.pieces: list[str | bytes] | None = None
        self.answer = "Hello there"  # what a whole answer says
        self.body: dict[str, Any] | None = None  # a whole answer sent as it is
        self.embeddings_body: dict[str, Any] | None = None  # an embeddings answer sent as it is
        self.error_message = "overloaded"  # what a failing answer says
        self.cached_tokens: int | None = None  # prompt tokens a whole answer says were cached
        self.usage: dict[str, Any] | None = None  # a whole answer's usage, if not 11 + 2
        # False: whole answers and embeddings leave `usage` out; streams report it as zeros
        self.reports_usage = True
        self.embedding = [0.5, 0.5]  # the vector every text is embedded as
        self.hold: threading.Event | None = None  # if set, answers wait for it (at most 30 s)
        self.piece_delay = 0.0
        self.disconnected = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                upstream.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                if upstream.hold is not None:
                    upstream.hold.wait(30)
                failing = upstream.status != 200 and upstream.failures_left != 0
                if failing:
                    upstream.failures_left -= 1
                    self._json(upstream.status, {"error": {"message": upstream.error_message}},
                               {"Retry-After": "7"})  # fmt: skip
                elif self.path.endswith("/embeddings") and upstream.embeddings_body:
                    self._json(200, upstream.embeddings_body)
                elif self.path.endswith("/embeddings"):
                    data = [
                        {"index": i, "embedding": upstream.embedding}
                        for i in range(len(body["input"]))
                    ]
                    self._json(200, {"data": data, "usage": {"prompt_tokens": 3}})
                elif upstream.body is not None and not body.get("stream"):
                    self._json(200, upstream.body)
                elif _acts(body) and body.get("stream"):
                    self._stream_act(_act(body))
                elif _acts(body):
                    self._json(200, _whole_act(_act(body)))
                elif body.get("stream"):
                    self._stream()
                else:
                    self._json(
                        200,
                        {
                            "choices": [
                                {
                                    "message": {"role": "assistant", "content": upstream.answer},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": upstream.usage or {
                                "prompt_tokens": 11,
                                "completion_tokens": 2,
                                **(
                                    {"prompt_tokens_details": {
                                        "cached_tokens": upstream.cached_tokens}}
                                    if upstream.cached_tokens is not None else {}
                                ),
                            },
                        },
                    )  # fmt: skip

            def _json(self, status: int, data: dict, headers: dict | None = None) -> None:
                if not upstream.reports_usage:
                    data.pop("usage", None)
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    texts = upstream.pieces or [f"w{n} " for n in range(upstream.stream_pieces)]
                    for text in texts:
                        if isinstance(text, bytes):  # a line as it is, however broken
                            self.wfile.write(text)
                            continue
                        piece = {"choices": [{"delta": {"content": text}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(piece)}\n\n".encode())
                        self.wfile.flush()
                        time.sleep(upstream.piece_delay)
                    last = {"choices": [{"delta": {}, "finish_reason": "stop"}]}
                    usage = {
                        "choices": [],
                        "usage": {"prompt_tokens": 9, "completion_tokens": upstream.stream_pieces},
                    }
                    if upstream.cached_tokens is not None:
                        details = {"cached_tokens": upstream.cached_tokens}
                        usage["usage"]["prompt_tokens_details"] = details
                    if not upstream.reports_usage:  # zeroed, as some servers stream it
                        usage["usage"] = {"prompt_tokens": 0, "completion_tokens": 0}
                    for event in (last, usage):
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    upstream.disconnected.set()

            def _stream_act(self, act: dict[str, Any]) -> None:
                """Tool calls in pieces (id and name first, then the arguments in three), or
                the JSON text in pieces; then the finish reason and usage."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                deltas: list[dict[str, Any]] = []
                for index, call in enumerate(act.get("tool_calls") or []):
                    deltas.append({"tool_calls": [{"index": index, "id": call["id"],
                                   "type": "function", "function": {"name": call["function"][
                                       "name"], "arguments": ""}}]})  # fmt: skip
                    arguments = call["function"]["arguments"]
                    third = max(1, len(arguments) // 3)
                    for start in range(0, len(arguments), third):
                        deltas.append({"tool_calls": [{"index": index, "function": {
                            "arguments": arguments[start : start + third]}}]})  # fmt: skip
                text = act.get("content") or ""
                deltas += [{"content": text[i : i + 7]} for i in range(0, len(text), 7)]
                for delta in deltas:
                    piece = {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(piece)}\n\n".encode())
                last = {"choices": [{"index": 0, "delta": {}, "finish_reason": act["finish"]}]}
                usage = {"choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": 13}}
                for event in (last, usage):
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _acts(body: dict[str, Any]) -> bool:
    """Requests the upstream answers by acting on what they ask (tools, structured output)."""
    return bool(body.get("tools") or body.get("response_format"))


def _act(body: dict[str, Any]) -> dict[str, Any]:
    """What a model that really follows tools and response formats would answer: a tool result
    in the last message is reported back; otherwise each tool named in the last user message is
    called (the chosen one, or the first, if none is named), with arguments valid for its
    schema; a response format gets a JSON instance of its schema (JSON mode: of the schema the
    system message gives, if any)."""
    messages = body["messages"]
    last = messages[-1]
    tools = body.get("tools") or []
    choice = body.get("tool_choice", "auto")
    if tools and last["role"] != "tool" and choice != "none":
        said = str(last.get("content") or "")
        named = [t for t in tools if t["function"]["name"] in said]
        if isinstance(choice, dict):
            named = [t for t in tools if t["function"]["name"] == choice["function"]["name"]]
        chosen = named or tools[:1]
        if body.get("parallel_tool_calls") is False:
            chosen = chosen[:1]
        calls = [
            {"id": f"call_{index}_{tool['function']['name']}", "type": "function",
             "function": {"name": tool["function"]["name"], "arguments": json.dumps(
                 instance_of(tool["function"].get("parameters") or {}))}}
            for index, tool in enumerate(chosen)
        ]  # fmt: skip
        return {"content": None, "tool_calls": calls, "finish": "tool_calls"}
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"].get("schema") or {"type": "object"}
        return {"content": json.dumps(instance_of(schema)), "finish": "stop"}
    if response_format.get("type") == "json_object":
        schema = schema_in_prompt(messages)
        answer = instance_of(schema) if schema else {"answer": "Paris"}
        return {"content": json.dumps(answer), "finish": "stop"}
    results = [m["content"] for m in messages if m["role"] == "tool"]
    return {"content": "The tools said: " + "; ".join(results), "finish": "stop"}


def schema_in_prompt(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON Schema a system message asks the answer to follow (JSON mode carries no schema
    of its own: clients such as instructor write it into the prompt), or None."""
    for message in messages:
        text = message.get("content")
        if message["role"] != "system" or not isinstance(text, str) or "{" not in text:
            continue
        try:
            found, _ = json.JSONDecoder().raw_decode(text[text.index("{") :])
        except ValueError:
            continue
        if isinstance(found, dict) and "properties" in found:
            return found
    return None


def _whole_act(act: dict[str, Any]) -> dict[str, Any]:
    message = {"role": "assistant", "content": act["content"]}
    if act.get("tool_calls"):
        message["tool_calls"] = act["tool_calls"]
    return {
        "choices": [{"index": 0, "message": message, "finish_reason": act["finish"]}],
        "usage": {"prompt_tokens": 21, "completion_tokens": 13},
    }


def instance_of(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A value valid for a JSON Schema (objects, arrays, enums, $ref into $defs, anyOf)."""
    root = root or schema
    if "$ref" in schema:
        return instance_of(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "anyOf" in schema:
        return instance_of(schema["anyOf"][0], root)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: instance_of(spec, root) for name, spec in properties.items()}
    if kind == "array":
        return [instance_of(schema.get("items") or {"type": "string"}, root)]
    return {"string": "Paris", "integer": 3, "number": 2.5, "boolean": True}.get(kind)


def upstream_model(name: str, upstream: Upstream, **capabilities: Any) -> Any:
    """A catalogue chat model called `name`, served by `upstream` through a provider of its own
    (the test database's rows)."""
    from models_catalog.models import FoundationModel, Provider

    provider = Provider.objects.create(
        name=f"{name}-up"[:50], kind="openai_compatible", endpoint_url=upstream.url
    )
    return FoundationModel.objects.create(
        name=name, provider=provider, provider_model_id=name, display_name=name, modality="chat",
        **capabilities,
    )  # fmt: skip
