"""Each knowledge base is searched by its own HNSW index, also beside a bigger one in the same
table (siloed: the tenant's schema; pooled: the public one), and exactly while it is tiny. The
plans are read with EXPLAIN: which scan the planner picks is behaviour, not timing."""

from __future__ import annotations

import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from knowledge.models import Chunk, Document
from knowledge.retrieval import EXACT_BELOW, retrieve
from knowledge.search_indexes import index_name
from knowledge.services import delete_knowledge_base
from knowledge.stores import Located, opened
from tests.knowledge.conftest import knowledge_base, member_of

pytestmark = pytest.mark.django_db(transaction=True)  # indexes built concurrently, as in use

SIZE = 384


def vectors(count: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)  # noqa: S311  (test data)
    centres = [[rng.gauss(0, 1) for _ in range(SIZE)] for _ in range(20)]
    drawn = [[c + rng.gauss(0, 0.3) for c in rng.choice(centres)] for _ in range(count)]
    return [[x / sum(y * y for y in v) ** 0.5 for x in v] for v in drawn]


def filled(located: Located, embeddings: list[list[float]]) -> None:
    with opened(located):
        document = Document.objects.create(
            knowledge_base=located.kb, tenant_id=located.tenant.pk, filename="data.txt", size=1,
            sha256="0" * 64, content=b"", status="ready",
        )  # fmt: skip
        Chunk.objects.bulk_create(
            Chunk(document=document, knowledge_base=located.kb, tenant_id=located.tenant.pk,
                  index=n, text=f"chunk {n}", tokens=2, dimensions=SIZE, embedding=vector)
            for n, vector in enumerate(embeddings)
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_chunk, knowledge_document")  # as autovacuum would


def searched(located: Located, vector: list[float]) -> tuple[list[int], str]:
    """The chunk indexes retrieved nearest first, and the plan of the vector search's query."""
    with CaptureQueriesContext(connection) as captured:
        hits = retrieve(
            located, query="q", principal=member_of(located.tenant), top_k=5, vector=vector
        )
    # One statement: the scan's settings, then the search (in a transaction, in a savepoint).
    sent = next(q["sql"] for q in captured.captured_queries if "<=>" in q["sql"]).split(";\n")
    nearest = next(sql for sql in sent if "<=>" in sql)
    settings = [sql for sql in sent[: sent.index(nearest)] if sql.startswith("SET")]
    with opened(located), transaction.atomic(), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(setting)
        cursor.execute(f"EXPLAIN {nearest}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return [hit.index for hit in hits], plan


@pytest.mark.parametrize("isolation", ["siloed", "pooled"])
def test_a_knowledge_base_beside_a_bigger_one_uses_its_own_index(make_tenant, isolation) -> None:
    acme = make_tenant("acme")
    big = knowledge_base(acme, isolation, name="Big")
    small = knowledge_base(acme, isolation, name="Small")
    filled(big, vectors(2_500, seed=1))
    mine = vectors(EXACT_BELOW + 200, seed=2)
    filled(small, mine)

    found, plan = searched(small, mine[7])

    assert f"Index Scan using {index_name(small.kb.pk)}" in plan, plan
    assert found[0] == 7  # the chunk itself is nearest


def test_a_tiny_knowledge_base_is_searched_exactly(make_tenant) -> None:
    acme = make_tenant("acme")
    tiny = knowledge_base(acme, name="Tiny")
    mine = vectors(50, seed=3)
    filled(tiny, mine)

    found, plan = searched(tiny, mine[3])

    assert "hnsw" not in plan, plan
    assert found[0] == 3


def test_the_index_comes_and_goes_with_its_knowledge_base(make_tenant) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme, "pooled")

    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s", [located.schema_name]
            )
            return {row[0] for row in cursor.fetchall()}

    name = index_name(located.kb.pk)
    assert name in indexes()
    delete_knowledge_base(located=located, actor="test")
    assert name not in indexes()


def test_the_scan_settings_end_with_the_search(make_tenant) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme, name="Settings")
    mine = vectors(EXACT_BELOW + 50, seed=4)
    filled(located, mine)
    person = member_of(acme)

    def current() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('hnsw.ef_search', true), "
                           "current_setting('enable_sort')")  # fmt: skip
            return cursor.fetchone()

    def nearest() -> int:
        hits = retrieve(located, query="q", principal=person, top_k=5, vector=mine[9])
        return hits[0].index

    assert nearest() == 9
    assert current()[1] == "on"  # autocommit: the search's own transaction took them along
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL hnsw.ef_search = 123")
        assert nearest() == 9
        assert current() == ("123", "on")  # the caller's setting is back, sorting allowed
