"""The floor under any Python gateway on this machine, for the gateway benchmark: a relay with no
checks at all, served as Atrium is (uvicorn, httptools, uvloop, one worker per core unless told),
that posts each request's body to the upstream with aiohttp and answers with what came back.

    python bench/bare_relay.py --port 9001 --upstream http://127.0.0.1:9000/v1 [--workers N]

Nothing is authenticated, checked, metered or logged: whatever the gateway spends above this
relay's CPU per call is its own work, and this relay's throughput against the upstream's bounds
what any gateway in Python can reach on the same cores.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import uvicorn

UPSTREAM = os.environ.get("BARE_RELAY_UPSTREAM", "")
_session: Any = None


async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    global _session
    if scope["type"] != "http":
        return
    import aiohttp

    if _session is None:
        _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    async with _session.post(
        f"{UPSTREAM}/chat/completions", data=body, headers={"Content-Type": "application/json"}
    ) as answer:
        content = await answer.read()
        status = answer.status
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    os.environ["BARE_RELAY_UPSTREAM"] = args.upstream  # read by each worker process
    uvicorn.run(
        "bench.bare_relay:app", host="127.0.0.1", port=args.port, workers=args.workers,
        log_level="error", access_log=False, lifespan="off", loop="uvloop", http="httptools",
    )  # fmt: skip


if __name__ == "__main__":
    main()
