"""Loopback servers that speak the real REST protocols of bedrock-runtime and sagemaker-runtime,
including the `application/vnd.amazon.eventstream` framing of their streams. boto3 reaches them
through `endpoint_url`; botocore's own event-stream parser judges the framing."""

from __future__ import annotations

import binascii
import json
import re
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


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


class AwsLoopback:
    """Bedrock and SageMaker in one server; tests set what it answers and read what it got."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error: tuple[int, str] | None = None  # (status, x-amzn-ErrorType)
        self.words = ["Bonjour", " le", " monde"]
        self.piece_delay = 0.0
        self.mid_stream_error: str | None = None
        # ApplyGuardrail's answer: None lets everything pass.
        self.guardrail: dict[str, Any] | None = None
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
                        json.dumps({"message": f"{kind} from test"}).encode(),
                        {"x-amzn-ErrorType": kind, "Content-Type": "application/json"},
                    )
                    return
                if match := re.fullmatch(r"/model/(.+)/converse", path):
                    self._converse(match[1], json.loads(body))
                elif match := re.fullmatch(r"/model/(.+)/converse-stream", path):
                    self._converse_stream()
                elif match := re.fullmatch(r"/model/(.+)/invoke", path):
                    self._invoke(match[1], json.loads(body))
                elif re.fullmatch(r"/endpoints/(.+)/invocations", path):
                    self._sagemaker(json.loads(body))
                elif re.fullmatch(r"/endpoints/(.+)/invocations-response-stream", path):
                    self._sagemaker_stream()
                elif re.fullmatch(r"/guardrail/(.+)/version/(.+)/apply", path):
                    self._json(aws.guardrail or {"action": "NONE", "outputs": [],
                                                 "assessments": []})  # fmt: skip
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

            def _converse(self, model: str, request: dict[str, Any]) -> None:
                self._json({
                    "output": {"message": {"role": "assistant",
                                           "content": [{"text": "".join(aws.words)}]}},
                    "stopReason": "end_turn",
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
                    for frame in frames:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                        self.wfile.flush()
                        time.sleep(aws.piece_delay)
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    aws.stopped_early.set()

            def _converse_stream(self) -> None:
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
                if model.startswith("cohere."):
                    self._json({"embeddings": [[0.1, 0.2, 0.3] for _ in request["texts"]]})
                else:
                    self._json({"embedding": [len(request["inputText"]) / 10, 0.5],
                                "inputTextTokenCount": 4})  # fmt: skip

            def _sagemaker(self, request: dict[str, Any]) -> None:
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
                lines.append("data: [DONE]\n\n")
                raw = "".join(lines).encode()
                # Payload parts cut at arbitrary places, as real endpoints do.
                parts = [raw[i : i + 37] for i in range(0, len(raw), 37)]
                headers = {":message-type": "event", ":event-type": "PayloadPart",
                           ":content-type": "application/octet-stream"}  # fmt: skip
                self._stream([event_frame(headers, part) for part in parts])

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
