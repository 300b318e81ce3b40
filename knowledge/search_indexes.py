"""Each knowledge base's own HNSW index: a partial index of its store's chunks table that holds
that knowledge base's vectors only, created with the knowledge base and dropped with it.

Why one per knowledge base: all the knowledge bases of a store (a tenant's schema, or the pooled
public one) share one chunks table. With one index per embedding size, pgvector 0.6 (no iterative
index scans) returns at most `hnsw.ef_search` candidates from the whole table, most of them
another knowledge base's, so the planner rightly searched a 10k-chunk base beside a 100k one by
an exact scan. A partial index `WHERE knowledge_base_id = <id>` is that base's graph alone; the
planner uses it because retrieval repeats its predicate with the id as a literal.
"""

from __future__ import annotations

import uuid

from django.db import connection

PREFIX = "knowledge_chunk_hnsw_"


def index_name(kb_id: uuid.UUID) -> str:
    """The index's name: PostgreSQL's 63-byte limit leaves room for the id's 32 hex digits."""
    return f"{PREFIX}{kb_id.hex}"


def kb_literal(kb_id: uuid.UUID) -> str:
    """The knowledge base's id as an SQL literal (a valid UUID by construction): the planner
    matches a partial index's predicate only against literals, never parameters."""
    return f"'{uuid.UUID(str(kb_id))}'::uuid"


def index_predicate(kb_id: uuid.UUID, dimensions: int) -> str:
    """The rows the index holds; retrieval's WHERE clause implies it."""
    return (
        f"knowledge_base_id = {kb_literal(kb_id)} AND dimensions = {int(dimensions):d} "
        "AND NOT is_parent"
    )


def _concurrently() -> str:
    # Outside a transaction the index is built without blocking other knowledge bases' writes to
    # the shared table; inside one (a migration, a test) PostgreSQL allows only a plain build.
    return "" if connection.in_atomic_block else "CONCURRENTLY "


def create_search_index(*, schema: str, kb_id: uuid.UUID, dimensions: int) -> None:
    """Build the knowledge base's HNSW index (cosine) in `schema`, the store that holds it."""
    quote = connection.ops.quote_name
    size = int(dimensions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX {_concurrently()}IF NOT EXISTS {quote(index_name(kb_id))} "
            f"ON {quote(schema)}.knowledge_chunk "
            f"USING hnsw ((embedding::vector({size:d})) vector_cosine_ops) "
            f"WHERE {index_predicate(kb_id, size)}"
        )


def drop_search_index(*, schema: str, kb_id: uuid.UUID) -> None:
    """Drop the knowledge base's index (it is gone or going: its rows are deleted)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP INDEX {_concurrently()}IF EXISTS {quote(schema)}.{quote(index_name(kb_id))}"
        )
