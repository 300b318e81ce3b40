"""The threads that relay streams (Bedrock's and SageMaker's event streams, the local model's
generation), each held for a stream's whole length.

They have their own pool, so slow streams never take the event loop's default executor, which
the gateway's short work (authentication, admission, settling: `kernel.pool_threads`) needs at
once. Generous: a waiting relay costs a thread, not a core.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

STREAM_THREADS = 256
STREAM_RELAYS = ThreadPoolExecutor(max_workers=STREAM_THREADS, thread_name_prefix="stream-relay")
