"""Ingestion of one document: extract -> chunk -> embed (in batches, through the gateway, so it
is allowed, budgeted and metered like any call) -> ready. Each step saves its state, so the
page can show it.

Resumable and duplicate-free: chunks are numbered deterministically and unique per (document,
index), so a run that starts again (a worker killed mid-document: the task is acknowledged late
and redelivered) keeps the chunks it has, re-creates none, and embeds only those still without a
vector. A batch embedded (and billed) whose vectors were never saved is embedded again under the
same request id, derived from its chunks, so it is billed once. A document is served by
retrieval only once `ready`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from asgiref.sync import async_to_sync
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from budgets.reservations import BudgetExhausted
from gateway import calls
from identity.principals import Principal
from kernel.errors import DomainError
from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from knowledge.chunking import ChunkingStrategy, Piece, chunk
from knowledge.extraction import ExtractionError, extract
from knowledge.models import Chunk, Document, KnowledgeBase
from knowledge.stores import Located, opened

logger = logging.getLogger("atrium.knowledge")

EMBED_BATCH = 32
Status = Document.Status


def _set(document: Document, status: str, **fields: object) -> None:
    document.status = status
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(update_fields=["status", "updated_at", *fields])


def _fail(document: Document, reason: str) -> None:
    logger.info("document %s failed: %s", document.pk, reason)
    _set(document, Status.FAILED, failure=reason[:500])


def _chunk_row(document: Document, piece: Piece, parent_id: int | None = None) -> Chunk:
    return Chunk(
        document=document, knowledge_base_id=document.knowledge_base_id,
        tenant_id=document.tenant_id, index=piece.index, text=piece.text, tokens=piece.tokens,
        heading=piece.heading[:500], page=piece.page, last_page=piece.last_page,
        is_parent=piece.is_parent, parent_id=parent_id,
    )  # fmt: skip


def _store_pieces(document: Document, pieces: list[Piece]) -> None:
    """Create the chunks this document does not have yet (parents first, for the links)."""
    have = set(Chunk.objects.filter(document=document).values_list("index", flat=True))
    new = [piece for piece in pieces if piece.index not in have]
    parents = [_chunk_row(document, piece) for piece in new if piece.is_parent]
    Chunk.objects.bulk_create(parents, ignore_conflicts=True)
    parent_ids = dict(
        Chunk.objects.filter(document=document, is_parent=True).values_list("index", "id")
    )
    children = [
        _chunk_row(document, piece, parent_ids.get(piece.parent_index))
        for piece in new
        if not piece.is_parent
    ]
    Chunk.objects.bulk_create(children, ignore_conflicts=True)


def _uploader(document: Document, located: Located) -> Principal:
    return Principal(
        kind=document.uploader_type, id=document.uploader_id, name=document.uploaded_by,
        role="member", tenant_slug=located.tenant.slug,
        business_unit_id=document.business_unit_id,
    )  # fmt: skip


def batch_request_id(batch: list[Chunk], failed_calls: int = 0) -> str:
    """The embedding call's request id for these chunks: the same on every attempt (a worker
    killed after the provider answered: billed once), except after a call that failed, whose
    id holds its failure (the next call is billed under an id of its own)."""
    chunks = ",".join(str(piece.pk) for piece in batch)
    salt = f"{failed_calls}:" if failed_calls else ""
    digest = hashlib.sha256(f"{salt}{batch[0].document_id}:{chunks}".encode()).hexdigest()
    return f"embd-{digest[:48]}"


def _embed_missing(document: Document, located: Located) -> None:
    caller = calls.Caller(located.tenant, _uploader(document, located))
    pending = Chunk.objects.filter(document=document, is_parent=False, embedding__isnull=True)
    while batch := list(pending.order_by("index")[:EMBED_BATCH]):
        request_id = batch_request_id(batch, document.failed_embedding_calls)
        call = calls.start_embedding(
            caller, located.kb.embedding_model, [c.text for c in batch], request_id=request_id
        )
        try:
            result = async_to_sync(calls.embed)(call)
        except Exception:
            document.failed_embedding_calls += 1
            Document.objects.filter(pk=document.pk).update(
                failed_embedding_calls=F("failed_embedding_calls") + 1
            )
            raise
        for piece, vector in zip(batch, result.vectors, strict=True):
            piece.embedding, piece.dimensions = vector, len(vector)
        with transaction.atomic():
            Chunk.objects.bulk_update(batch, ["embedding", "dimensions"])
            Document.objects.filter(pk=document.pk).update(
                chunks_embedded=F("chunks_embedded") + len(batch), updated_at=timezone.now()
            )


# A batch refused for a while (a rate limit, a throttled or unreachable provider) is tried again
# this many times, after the wait it names (at most MAX_PAUSE_SECONDS: less than beat waits
# before it resumes a stalled document), before the document fails.
MAX_PAUSES = 20
MAX_PAUSE_SECONDS = 120


class IngestionPaused(Exception):
    """The embedding of a document must wait `seconds` and go on: its task queues itself again."""

    def __init__(self, seconds: int, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds


def _wait_for(error: DomainError) -> int | None:
    """How long to wait before a refused batch is tried again, when the refusal passes with time;
    None when it will not (a refused model, a spent budget: until next month is no pause)."""
    if isinstance(error, BudgetExhausted):
        return None
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:  # rate limits, a throttled provider, a store that blinked
        return min(MAX_PAUSE_SECONDS, max(1, int(retry_after)))
    if getattr(error, "retryable", False):  # a timeout, a provider down (after the retries)
        return 30
    return None


# A run of a document holds its lease (in Redis, shared by every worker), renewed by a thread
# while the run lives, so a second run (beat resuming a document whose extraction is slow, a
# task delivered twice) waits for it instead of embedding, and counting, every batch twice; a
# worker that dies lets go of it within LEASE_SECONDS. (Not a database session lock: behind
# PgBouncer in transaction mode a session has no owner.)
LEASE_SECONDS = 30
_LET_GO = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
# Renewed only by its holder: a run whose lease lapsed (Redis away for longer than the lease)
# never extends the next run's.
_RENEW = """if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2]) end"""


class DocumentBusy(IngestionPaused):
    """Another run holds the document's lease: come back when it ends (not a pause of this
    document's own: it does not count towards MAX_PAUSES)."""


def lease_key(located: Located, document_id: str) -> str:
    return tenant_key(located.tenant.pk, "ingesting", document_id)


@contextmanager
def _sole_run(located: Located, document_id: str) -> Iterator[None]:
    """Hold the document's lease while the block runs; IngestionPaused (for as long as its
    lease has left) if another run holds it."""
    key, run, client = lease_key(located, document_id), uuid.uuid4().hex, shared_redis()
    if not client.set(key, run, nx=True, ex=LEASE_SECONDS):
        left = max(1, int(client.ttl(key)))
        raise DocumentBusy(left, "another run is at work on this document")
    over = threading.Event()

    def renew() -> None:
        while not over.wait(LEASE_SECONDS / 3):
            with contextlib.suppress(redis.RedisError):  # a blink: the next renewal may do
                client.eval(_RENEW, 1, key, run, LEASE_SECONDS)

    renewer = threading.Thread(target=renew, name=f"lease-{document_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        over.set()
        renewer.join()
        client.eval(_LET_GO, 1, key, run)


def ingest(located: Located, document_id: str, *, last_try: bool = False) -> None:
    """Ingest one document. Raises IngestionPaused when it must wait and go on later: another
    run is at work on it, or its embedding is refused for a while (unless `last_try`: then the
    document fails, saying why)."""
    with _sole_run(located, document_id):
        _ingest(located, document_id, last_try=last_try)


def _ingest(located: Located, document_id: str, *, last_try: bool) -> None:
    with opened(located):
        document = Document.objects.filter(knowledge_base=located.kb, pk=document_id).first()
        if document is None or document.status in (Status.READY, Status.FAILED):
            return  # deleted meanwhile, or done
        _set(document, Status.EXTRACTING)
        try:
            extracted = extract(document.filename, bytes(document.content))
        except ExtractionError as error:
            _fail(document, str(error))
            return
        _set(document, Status.CHUNKING, media_type=extracted.media_type)
        pieces = chunk(extracted, ChunkingStrategy.from_dict(located.kb.chunking))
        searchable = [p for p in pieces if not p.is_parent]
        if not searchable:
            _fail(document, "No text to index was found in this file.")
            return
        _store_pieces(document, pieces)
        embedded = Chunk.objects.filter(document=document, is_parent=False,
                                        embedding__isnull=False).count()  # fmt: skip
        _set(document, Status.EMBEDDING, chunks_total=len(searchable), chunks_embedded=embedded)
        try:
            _embed_missing(document, located)
        except DomainError as error:
            wait = None if last_try else _wait_for(error)
            if wait is None:
                _fail(document, f"Embedding with {located.kb.embedding_model} failed: {error}")
                return
            _set(document, Status.EMBEDDING)  # touched: not stalled while it waits
            raise IngestionPaused(wait, str(error)) from error
        _set(document, Status.READY, content=b"", chunks_embedded=len(searchable))
        KnowledgeBase.objects.filter(pk=located.kb.pk).update(version=F("version") + 1)
