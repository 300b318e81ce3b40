"""Retrieval from one knowledge base: vector search (pgvector HNSW, cosine) or hybrid (vector and
PostgreSQL full-text, fused by reciprocal rank), with metadata filters. Only chunks of `ready`
documents are served. Hierarchical knowledge bases match small chunks and return their parents.

Every query names the knowledge base, which `knowledge.stores` located for the tenant, and runs in
that knowledge base's schema: a pooled store's rows of other knowledge bases are never read.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from asgiref.sync import async_to_sync
from django.db import connection

from gateway import calls
from identity.principals import Principal
from kernel.errors import InvalidInput
from knowledge.models import Chunk, pages_label
from knowledge.search_indexes import kb_literal
from knowledge.stores import Located, opened

RRF_K = 60
MODES = ("vector", "hybrid")
# The vector scan, from bench/rag.py's measured curve (docs/knowledge.md, "Benchmark"): an exact
# scan costs ~1.5-5 us per chunk here, so below EXACT_BELOW chunks it is about as fast as the
# HNSW index (1.5-2 ms) and exact; above it the base's own index with ef_search candidates:
# EF_SEARCH_MIN gave recall@10 0.97 on real text at 10k chunks (0.99 at 80), and twice the rows
# wanted keeps that margin for larger k. Filters prune after the index scan (pgvector 0.6
# cannot resume it), so they get more.
EXACT_BELOW = 1_000
EF_SEARCH_MIN = 40
EF_SEARCH_FILTERED = 200
EF_SEARCH_MAX = 1_000  # pgvector's own limit


@dataclass(frozen=True)
class Filters:
    document_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # a chunk's document must carry every one
    dated_from: date | None = None
    dated_to: date | None = None

    @classmethod
    def from_dict(cls, raw: Any) -> Filters:
        if raw in (None, {}):
            return cls()
        if not isinstance(raw, dict) or set(raw) - {"document_ids", "tags", "dated_from",
                                                     "dated_to"}:  # fmt: skip
            raise InvalidInput(
                "filters: an object with document_ids, tags, dated_from and dated_to only."
            )
        for name in ("document_ids", "tags"):
            value = raw.get(name)
            if value is not None and not (
                isinstance(value, list) and all(isinstance(item, str) for item in value)
            ):
                raise InvalidInput(f"filters.{name}: a list of strings.", param=f"filters.{name}")
        try:
            return cls(
                document_ids=tuple(raw.get("document_ids") or ()),
                tags=tuple(raw.get("tags") or ()),
                dated_from=date.fromisoformat(raw["dated_from"]) if raw.get("dated_from") else None,
                dated_to=date.fromisoformat(raw["dated_to"]) if raw.get("dated_to") else None,
            )
        except (TypeError, ValueError) as error:
            raise InvalidInput(f"filters: {error} (dates as YYYY-MM-DD).") from None

    @property
    def narrows(self) -> bool:
        return bool(self.document_ids or self.tags or self.dated_from or self.dated_to)

    def sql(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.document_ids:
            clauses.append("d.id::text = ANY(%s)")
            params.append(list(self.document_ids))
        if self.tags:
            clauses.append("d.tags @> %s::jsonb")
            params.append(json.dumps(list(self.tags)))
        if self.dated_from:
            clauses.append("d.dated >= %s")
            params.append(self.dated_from)
        if self.dated_to:
            clauses.append("d.dated <= %s")
            params.append(self.dated_to)
        return "".join(f" AND {clause}" for clause in clauses), params


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    document_id: str
    filename: str
    index: int
    text: str
    heading: str
    page: int | None
    score: float
    last_page: int | None = None
    # Cosine similarity of the matched chunk and the query, whatever the mode's score is: the
    # one scale a relevance threshold can use (hybrid scores are rank fusions).
    similarity: float = 0.0
    rerank_score: float | None = None  # set when a re-ranking model reordered the hits

    def as_dict(self) -> dict[str, Any]:
        reranked = {} if self.rerank_score is None else {"rerank_score": self.rerank_score}
        return reranked | {
            "document_id": self.document_id, "filename": self.filename, "chunk_index": self.index,
            "heading": self.heading, "page": self.page, "last_page": self.last_page or self.page,
            "pages": pages_label(self.page, self.last_page), "score": round(self.score, 6),
            "similarity": round(self.similarity, 6), "text": self.text,
        }  # fmt: skip


# What a hit shows of its chunk, its document and (hierarchical) its parent.
_SHOWN = ("index", "text", "heading", "page", "last_page")
HIT_FIELDS = ("document__filename", "parent_id", *_SHOWN, *(f"parent__{f}" for f in _SHOWN))

BASE = """
FROM knowledge_chunk c JOIN knowledge_document d ON d.id = c.document_id
WHERE c.knowledge_base_id = %s AND d.status = 'ready' AND NOT c.is_parent
"""


@dataclass(frozen=True)
class Scan:
    """How the nearest chunks are found: exactly (every chunk compared) or by the knowledge
    base's HNSW index with `ef_search` candidates."""

    exact: bool
    ef_search: int = 0


# A base's size decides its scan; it is read at most once a SIZE_SECONDS per base and process
# (a base that just crossed EXACT_BELOW is searched the old way for that long, exactly or by its
# own index: either gives the right chunks).
SIZE_SECONDS = 60.0
_sizes: dict[tuple[object, int], tuple[float, bool]] = {}  # (base, count): (read at, fewer)


def _has_fewer_chunks(located: Located, count: int) -> bool:
    # Counts at most `count` rows through the knowledge_base_id index: cheap at any size.
    key = (located.kb.pk, count)
    now = time.monotonic()
    known = _sizes.get(key)
    if known is not None and now - known[0] < SIZE_SECONDS:
        return known[1]
    size = located.kb.embedding_dimensions
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM knowledge_chunk WHERE knowledge_base_id = %s "
            "AND dimensions = %s AND NOT is_parent LIMIT %s) AS first_ones",
            [located.kb.pk, size, count],
        )
        fewer = int(cursor.fetchone()[0]) < count
    _sizes[key] = (now, fewer)
    return fewer


def scan_for(located: Located, limit: int, filters: Filters) -> Scan:
    """The scan for `limit` nearest chunks (inside `opened(located)`)."""
    if _has_fewer_chunks(located, EXACT_BELOW):
        return Scan(exact=True)
    wanted = EF_SEARCH_FILTERED if filters.narrows else EF_SEARCH_MIN
    return Scan(exact=False, ef_search=min(EF_SEARCH_MAX, max(wanted, 2 * limit)))


def _vector_literal(vector: list[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def _scan_settings(scan: Scan) -> list[str]:
    if scan.exact:
        return ["SET LOCAL enable_indexscan = off"]  # the HNSW scan is an index scan
    # Only an index gives rows in distance order, so without sorting the planner takes the base's
    # HNSW index even where its estimates (the join with documents, a base small beside its
    # table) would rather sort: we chose the index from measurements.
    return [f"SET LOCAL hnsw.ef_search = {scan.ef_search:d}", "SET LOCAL enable_sort = off"]


def nearest_chunks(
    located: Located, vector: list[float], limit: int, filters: Filters, scan: Scan
) -> list[tuple[int, float]]:
    """The `limit` chunks nearest `vector`, nearest first, as (id, cosine similarity), inside
    `opened(located)`: one round trip to the database, the scan's settings and the search sent
    as one implicit transaction, so the settings end with it (inside a transaction, a savepoint
    undoes them). The knowledge base's id is a literal in the SQL, as the predicate of its
    partial HNSW index (knowledge.search_indexes), so that the planner may use that index; the
    rest is bound by psycopg on the client."""
    size = located.kb.embedding_dimensions
    where, params = filters.sql()
    literal = _vector_literal(vector)
    distance = f"(c.embedding::vector({size:d})) <=> %s::vector({size:d})"
    base = BASE.replace("%s", kb_literal(located.kb.pk), 1)
    search = connection.ops.compose_sql(
        f"SELECT c.id, 1 - ({distance}) {base} AND c.dimensions = {size:d}{where} "
        f"ORDER BY {distance} LIMIT %s",
        [literal, *params, literal, limit],
    )
    before = _scan_settings(scan)
    after: list[str] = []
    if not connection.get_autocommit():
        # Inside a transaction the settings would outlive the search: a savepoint undoes them
        # (rolling back to it restores what was set before) in the same round trip.
        before = ["SAVEPOINT nearest_chunks", *before]
        after = ["ROLLBACK TO SAVEPOINT nearest_chunks", "RELEASE SAVEPOINT nearest_chunks"]
    with connection.cursor() as cursor:
        cursor.execute(";\n".join([*before, search, *after]))
        for _ in before:
            cursor.nextset()
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def nearest_chunk_ids(
    located: Located, vector: list[float], limit: int, filters: Filters, scan: Scan
) -> list[int]:
    """Ids of the `limit` chunks nearest `vector` (cosine), nearest first (`nearest_chunks`)."""
    return [chunk_id for chunk_id, _ in nearest_chunks(located, vector, limit, filters, scan)]


def _text_ranked(located: Located, query: str, limit: int, filters: Filters) -> list[int]:
    where, params = filters.sql()
    sql = (
        f"SELECT c.id {BASE}{where} AND to_tsvector('english', c.text) @@ "
        "websearch_to_tsquery('english', %s) ORDER BY ts_rank_cd(to_tsvector('english', c.text), "
        "websearch_to_tsquery('english', %s)) DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [located.kb.pk, *params, query, query, limit])
        return [row[0] for row in cursor.fetchall()]


def _cosine_scores(located: Located, ids: list[int], vector: list[float]) -> dict[int, float]:
    size = located.kb.embedding_dimensions
    literal = _vector_literal(vector)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, 1 - ((embedding::vector({size:d})) <=> %s::vector({size:d})) "  # noqa: S608
            "FROM knowledge_chunk WHERE id = ANY(%s) AND knowledge_base_id = %s",
            [literal, ids, located.kb.pk],
        )
        return {row[0]: float(row[1]) for row in cursor.fetchall()}


def _fused(rankings: list[list[int]]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    return scores


def embed_query(located: Located, principal: Principal, query: str) -> list[float]:
    """The query's vector, with the knowledge base's model, metered as the caller's."""
    call = calls.start_embedding(
        calls.Caller(located.tenant, principal), located.kb.embedding_model, [query]
    )
    return async_to_sync(calls.embed)(call).vectors[0]


def check_search(query: Any, top_k: Any, mode: Any) -> None:
    """InvalidInput naming the first of a search's query, top_k and mode that is not usable."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("query: ask something (a non-empty string).", param="query")
    if len(query) > 4000:
        raise InvalidInput("query: at most 4000 characters.", param="query")
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 50:
        raise InvalidInput("top_k: a whole number from 1 to 50.", param="top_k")
    if not isinstance(mode, str) or mode not in MODES:
        raise InvalidInput("mode: 'vector' or 'hybrid'.", param="mode")


def retrieve(
    located: Located, *, query: str, principal: Principal, top_k: int = 5, mode: str = "vector",
    filters: Filters | None = None, vector: list[float] | None = None,
) -> list[Hit]:  # fmt: skip
    check_search(query, top_k, mode)
    filters = filters or Filters()
    vector = vector or embed_query(located, principal, query)
    hierarchical = located.kb.chunking.get("kind") == "hierarchical"
    wanted = top_k * 4 if hierarchical or mode == "hybrid" else top_k
    with opened(located):
        nearest = nearest_chunks(
            located, vector, wanted, filters, scan_for(located, wanted, filters)
        )
        if mode == "hybrid":
            by_vector = [chunk_id for chunk_id, _ in nearest]
            scores = _fused([by_vector, _text_ranked(located, query, wanted, filters)])
            similarities = dict(nearest)
            missing = [chunk_id for chunk_id in scores if chunk_id not in similarities]
            if missing:
                similarities |= _cosine_scores(located, missing, vector)
        else:
            scores = similarities = dict(nearest)
        ranked = sorted(scores, key=lambda chunk_id: -scores[chunk_id])
        chunks = (
            Chunk.objects.filter(pk__in=ranked, knowledge_base=located.kb)
            .select_related("document", "parent")
            .only(*HIT_FIELDS)  # not the vectors, nor the documents' files
        )
        found = {c.pk: c for c in chunks}
        hits: list[Hit] = []
        seen: set[int] = set()
        for chunk_id in ranked:
            matched = found.get(chunk_id)
            if matched is None:
                continue
            shown = matched.parent if hierarchical and matched.parent else matched
            if shown.pk in seen:
                continue
            seen.add(shown.pk)
            hits.append(Hit(
                chunk_id=shown.pk, document_id=str(matched.document_id),
                filename=matched.document.filename, index=shown.index, text=shown.text,
                heading=shown.heading, page=shown.page, score=scores[chunk_id],
                last_page=shown.last_page, similarity=similarities.get(chunk_id, -1.0),
            ))  # fmt: skip
            if len(hits) == top_k:
                break
    return hits
