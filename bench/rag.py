"""Knowledge bases at volume, on embedded PostgreSQL + pgvector and Redis in a temporary folder:

1. ingestion throughput: real documents through the real pipeline (extract, chunk, embed with the
   local all-MiniLM-L6-v2 through the gateway's metered path, store), in chunks per second;
2. retrieval latency p50/p99 of the HNSW index at 10k and 100k chunks (query vectors given, so
   the figures are the database's; the query embedding's own time is printed once);
3. recall@10 of HNSW against exact search (a sequential scan) on the same data.

Embedding 100k chunks with MiniLM on a CPU takes most of an hour, so steps 2-3 use vectors drawn
around 2,000 centres on the unit sphere (clustered like real embeddings, not uniform noise),
inserted as ready chunks of one knowledge base.

    python bench/rag.py [--sizes 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded_portal import embedded_portal  # noqa: E402

DIMENSIONS = 384


def unit(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


def clustered(count: int, rng: random.Random, centres: list[list[float]]) -> list[list[float]]:
    return [unit([c + rng.gauss(0, 0.045) for c in rng.choice(centres)]) for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--documents", type=int, default=12, help="for the ingestion figure")
    args = parser.parse_args()
    with embedded_portal("rag"):
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.db import connection, transaction

    from identity.principals import Principal
    from knowledge.ingestion import ingest
    from knowledge.models import Chunk, Document
    from knowledge.retrieval import embed_query, retrieve
    from knowledge.services import Upload, create_knowledge_base, upload_documents
    from knowledge.stores import opened
    from models_catalog.services.access import grant_model
    from tenants.services import create_tenant

    tenant = create_tenant(slug="bench", name="Bench Ltd", business_unit="Ops")
    grant_model(model_name="local/all-minilm-l6-v2", tenants=[tenant], actor="bench")
    person = Principal("user", 1, "bench", "admin", tenant.slug)
    handbook = (ROOT / "tests" / "fixtures" / "tool_library_handbook.md").read_text()

    # 1. Ingestion through the real pipeline (synchronously, as a worker runs it).
    located = create_knowledge_base(
        tenant=tenant, name="Ingestion", isolation="siloed",
        embedding_model="local/all-minilm-l6-v2", chunking={"kind": "recursive"},
        actor="bench",
    )  # fmt: skip
    uploads = [
        Upload(f"handbook-{n}.md", f"<!-- copy {n} -->\n{handbook}".encode())
        for n in range(args.documents)
    ]
    outcomes = upload_documents(located=located, uploads=uploads, principal=person)
    embed_query(located, person, "warm the model up")
    began = time.perf_counter()
    for outcome in outcomes:
        ingest(located, str(outcome.document.pk))  # type: ignore[union-attr]
    took = time.perf_counter() - began
    with opened(located):
        chunks = Chunk.objects.filter(knowledge_base=located.kb, is_parent=False).count()
    print(f"ingestion: {args.documents} documents, {chunks} chunks in {took:.1f} s: "
          f"{chunks / took:.0f} chunks/s (extract, chunk, embed, store)")  # fmt: skip
    samples = [embed_query(located, person, f"question {n} about late fees") for n in range(20)]
    began = time.perf_counter()
    for n in range(20):
        embed_query(located, person, f"another question {n} about borrowing rules")
    print(f"query embedding (MiniLM, CPU): {(time.perf_counter() - began) / 20 * 1000:.1f} ms")
    del samples

    # 2-3. Latency and recall at volume.
    rng = random.Random(11)  # noqa: S311  (test data)
    centres = [unit([rng.gauss(0, 1) for _ in range(DIMENSIONS)]) for _ in range(2000)]
    volume = create_knowledge_base(
        tenant=tenant, name="Volume", isolation="siloed",
        embedding_model="local/all-minilm-l6-v2", chunking={"kind": "recursive"},
        actor="bench",
    )  # fmt: skip
    with opened(volume):
        document = Document.objects.create(
            knowledge_base=volume.kb, tenant_id=tenant.pk, filename="synthetic", size=0,
            sha256="0" * 64, content=b"", status="ready",
        )  # fmt: skip
    stored = 0
    print(f"{'chunks':>8} | {'insert s':>8} | {'p50 ms':>7} {'p99 ms':>7} | recall@10")
    for size in sorted(args.sizes):
        began = time.perf_counter()
        with opened(volume):
            while stored < size:
                batch = min(5000, size - stored)
                Chunk.objects.bulk_create(
                    Chunk(document=document, knowledge_base=volume.kb, tenant_id=tenant.pk,
                          index=stored + i, text=f"synthetic chunk {stored + i}", tokens=4,
                          dimensions=DIMENSIONS, embedding=vector)
                    for i, vector in enumerate(clustered(batch, rng, centres))
                )  # fmt: skip
                stored += batch
        inserted = time.perf_counter() - began
        queries = clustered(args.queries, rng, centres)
        latencies, recalls = [], []
        for vector in queries:
            started = time.perf_counter()
            hits = retrieve(volume, query="q", principal=person, top_k=10, vector=vector)
            latencies.append((time.perf_counter() - started) * 1000)
            literal = "[" + ",".join(map(repr, vector)) + "]"
            with opened(volume), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute(
                    "SELECT id FROM knowledge_chunk WHERE knowledge_base_id = %s AND "
                    "dimensions = 384 AND NOT is_parent ORDER BY "
                    "(embedding::vector(384)) <=> %s::vector(384) LIMIT 10",
                    [volume.kb.pk, literal],
                )
                exact = {row[0] for row in cursor.fetchall()}
            recalls.append(len(exact & {h.chunk_id for h in hits}) / 10)
        p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
        recall = statistics.mean(recalls)
        print(f"{size:>8,} | {inserted:>8.1f} | {p50:>7.2f} {p99:>7.2f} | {recall:.3f}")


if __name__ == "__main__":
    main()
