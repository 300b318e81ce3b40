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
        self.pieces: list[str] | None = None  # what a stream says (default: "w0 ", "w1 ", ...)
        self.answer = "Hello there"  # what a whole answer says
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
                failing = upstream.status != 200 and upstream.failures_left != 0
                if failing:
                    upstream.failures_left -= 1
                    self._json(
                        upstream.status, {"error": {"message": "overloaded"}}, {"Retry-After": "7"}
                    )
                elif self.path.endswith("/embeddings"):
                    data = [
                        {"index": i, "embedding": [0.5, 0.5]} for i in range(len(body["input"]))
                    ]
                    self._json(200, {"data": data, "usage": {"prompt_tokens": 3}})
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
                            "usage": {"prompt_tokens": 11, "completion_tokens": 2},
                        },
                    )

            def _json(self, status: int, data: dict, headers: dict | None = None) -> None:
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
                        piece = {"choices": [{"delta": {"content": text}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(piece)}\n\n".encode())
                        self.wfile.flush()
                        time.sleep(upstream.piece_delay)
                    last = {"choices": [{"delta": {}, "finish_reason": "stop"}]}
                    usage = {
                        "choices": [],
                        "usage": {"prompt_tokens": 9, "completion_tokens": upstream.stream_pieces},
                    }
                    for event in (last, usage):
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    upstream.disconnected.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def upstream_model(name: str, upstream: Upstream) -> Any:
    """A catalogue chat model called `name`, served by `upstream` through a provider of its own
    (the test database's rows)."""
    from models_catalog.models import FoundationModel, Provider

    provider = Provider.objects.create(
        name=f"{name}-up"[:50], kind="openai_compatible", endpoint_url=upstream.url
    )
    return FoundationModel.objects.create(
        name=name, provider=provider, provider_model_id=name, display_name=name, modality="chat"
    )
