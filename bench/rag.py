"""Knowledge bases at volume on real text, on embedded PostgreSQL + pgvector and Redis in a
temporary folder. Prints, beside the targets of issue 16:

1. ingestion throughput: documents made of real paragraphs through the real pipeline (extract,
   chunk, embed with the local all-MiniLM-L6-v2 through the gateway's metered path, store), on at
   least --ingest-chunks chunks;
2. per knowledge base (real text at 10k chunks, and 100k with --large, in the same chunks table;
   uniform random unit vectors of the same size as the worst case): the plan retrieval gets,
   the time to build its HNSW index, and recall@10 against an exact scan with the database's
   latency along the ef_search curve;
3. end to end over HTTP (uvicorn, a service account's token): p50/p99 of
   POST /t/<slug>/v1/knowledge-bases/<id>/retrieve, the query's embedding included, and the
   recall@10 of what it answered.

Text: paragraphs of the documentation installed on this machine (README files under
/usr/share/doc, docstrings of Python's standard library and of this venv's packages); one in
HELD_OUT is a query (its first words), not a chunk. Nothing is downloaded. Embedding 100k
paragraphs on a 2-core CPU takes long, so the vectors are cached in parts under
$RAG_BENCH_CACHE (default /tmp/atrium-rag-bench), never in the repository.

    python bench/rag.py [--large] [--queries 1000] [--ingest-chunks 5000]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded_portal import embedded_portal  # noqa: E402
from portal.embedded import free_loopback_port  # noqa: E402

CACHE = Path(os.environ.get("RAG_BENCH_CACHE", "/tmp/atrium-rag-bench"))  # noqa: S108
VERSION = 1  # bump when the corpus's sources or rules change
HELD_OUT = 100  # one paragraph in this many is a query, not a chunk
QUERY_WORDS = 12
PART = 5_000  # vectors per cache file
MIN_WORDS, MAX_WORDS = 12, 120  # a paragraph, not a heading or a whole page


@dataclass(frozen=True)
class Corpus:
    chunks: list[str]
    queries: list[str]


def _paragraphs(text: str) -> Iterator[str]:
    for block in re.split(r"\n\s*\n", text):
        paragraph = " ".join(block.split())
        if MIN_WORDS <= len(paragraph.split()) <= MAX_WORDS:
            yield paragraph


def _readmes() -> Iterator[str]:
    for path in sorted(Path("/usr/share/doc").rglob("README*")):
        try:
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        except OSError:
            continue
        yield from _paragraphs(raw.decode("utf-8", "replace"))


def _docstrings(root: Path) -> Iterator[str]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, kinds) and (doc := ast.get_docstring(node)):
                yield from _paragraphs(doc)


def corpus(size: int) -> Corpus:
    """`size` distinct paragraphs and the held-out queries among them (cached)."""
    cached = CACHE / f"corpus-v{VERSION}-{size}.json"
    if cached.exists():
        return _storable(Corpus(**json.loads(cached.read_text())))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources = [_readmes(), _docstrings(stdlib), _docstrings(Path(sysconfig.get_paths()["purelib"]))]
    seen: set[str] = set()
    chunks: list[str] = []
    queries: list[str] = []
    for source in sources:
        for paragraph in source:
            if paragraph in seen:
                continue
            seen.add(paragraph)
            if len(seen) % HELD_OUT == 0:
                queries.append(" ".join(paragraph.split()[:QUERY_WORDS]))
            else:
                chunks.append(paragraph)
            if len(chunks) == size:
                break
        if len(chunks) == size:
            break
    if len(chunks) < size:
        sys.exit(f"only {len(chunks)} paragraphs of documentation here; asked for {size}")
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps({"chunks": chunks, "queries": queries}))
    return _storable(Corpus(chunks, queries))


def _storable(corpus: Corpus) -> Corpus:
    """Without NUL, which PostgreSQL's text refuses (a few docstrings hold one); the tokenizer
    drops it too, so the cached vectors still belong to the same paragraphs."""
    return Corpus([c.replace("\x00", "") for c in corpus.chunks],
                  [q.replace("\x00", "") for q in corpus.queries])  # fmt: skip


def embeddings(texts: list[str], name: str) -> np.ndarray:
    """MiniLM vectors of `texts` (normalised, float32), cached in parts of PART under `name`."""
    from providers.local import LOCAL_EMBEDDINGS

    parts = []
    for start in range(0, len(texts), PART):
        path = CACHE / f"{name}-v{VERSION}-{start // PART:05d}.npy"
        if not path.exists():
            began = time.perf_counter()
            model = LOCAL_EMBEDDINGS._loaded()  # the bench embeds in bulk
            vectors = model.encode(
                texts[start : start + PART], normalize_embeddings=True, batch_size=64,
                show_progress_bar=False,
            )  # fmt: skip
            np.save(path, np.asarray(vectors, dtype=np.float32))
            took = time.perf_counter() - began
            print(f"  embedded {name} {start:,}-{start + PART:,}: {PART / took:.0f}/s", flush=True)
        parts.append(np.load(path))
    return np.concatenate(parts)[: len(texts)]


CORPUS_SIZE = 100_000  # the same corpus (and queries) whichever cells run
EF_CURVE = (10, 20, 40, 80, 200)
CURVE_QUERIES = 200
TARGET_P99_MS, TARGET_RECALL = 50.0, 0.95


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="add the 100k-chunk cells")
    parser.add_argument("--queries", type=int, default=1000, help="HTTP requests per base")
    parser.add_argument("--ingest-chunks", type=int, default=5000)
    args = parser.parse_args()
    port = free_loopback_port()
    os.environ["ATRIUM_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # the tokens' issuer
    os.environ["ATRIUM_HTTPS"] = "false"  # plain HTTP on loopback, as `up` serves it there
    with embedded_portal("rag"):
        run(args, port)


def run(args: argparse.Namespace, port: int) -> None:
    from identity.principals import Principal
    from models_catalog.services.access import grant_model
    from tenants.services import create_tenant

    tenant = create_tenant(slug="bench", name="Bench Ltd", business_unit="Ops")
    tenant.requests_per_minute = tenant.tokens_per_minute = 2_000_000_000  # checked, not binding
    tenant.save()
    grant_model(model_name="local/all-minilm-l6-v2", tenants=[tenant], actor="bench")
    person = Principal("user", 1, "bench", "admin", tenant.slug)
    text = corpus(CORPUS_SIZE)
    sizes = [10_000, 100_000] if args.large else [10_000]
    chunk_vectors = embeddings(text.chunks[: max(sizes)], "chunks")
    query_vectors = embeddings(text.queries, "queries")
    print(f"corpus: {len(text.chunks):,} paragraphs, {len(text.queries):,} held-out queries")

    if args.ingest_chunks:  # 0 skips it (measured on its own)
        ingestion(tenant, person, text.chunks[-20_000:], args.ingest_chunks)
    rng = np.random.default_rng(11)
    real, uniform = [], []
    print(f"\n{'base':>13} | {'index s':>7} | plan of retrieve()")
    for size in sizes:
        real.append(
            volume(tenant, f"Docs {size // 1000}k", text.chunks[:size], chunk_vectors[:size])
        )
        noise = rng.standard_normal((size, 384), dtype=np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        uniform.append(volume(tenant, f"Uniform {size // 1000}k", None, noise))
    print(f"\nrecall@10 vs exact | database ms p50 (query vector given, {CURVE_QUERIES} queries)")
    print(f"{'base':>13} | {'exact':>5} | " + " | ".join(f"ef {ef:>3}" for ef in EF_CURVE))
    for base in real:
        curve(base, query_vectors[:CURVE_QUERIES])
    for base in uniform:
        noise = rng.standard_normal((CURVE_QUERIES, 384), dtype=np.float32)
        curve(base, noise / np.linalg.norm(noise, axis=1, keepdims=True))
    over_http(tenant, port, real, text.queries[: args.queries], query_vectors)


@dataclass(frozen=True)
class Base:
    located: Any  # knowledge.stores.Located
    name: str
    size: int


def ingestion(tenant: Any, person: Any, paragraphs: list[str], target: int) -> None:
    """Documents of real paragraphs through the real pipeline until `target` chunks are in."""
    from knowledge.ingestion import ingest
    from knowledge.models import Chunk
    from knowledge.retrieval import embed_query
    from knowledge.services import Upload, create_knowledge_base, upload_documents
    from knowledge.stores import opened

    located = create_knowledge_base(
        tenant=tenant, name="Ingestion", isolation="siloed",
        embedding_model="local/all-minilm-l6-v2", chunking={"kind": "recursive"},
        actor="bench",
    )  # fmt: skip
    embed_query(located, person, "warm the model up")
    chunks, documents, took = 0, 0, 0.0
    for start in range(0, len(paragraphs), 100):
        body = "\n\n".join(paragraphs[start : start + 100])
        upload = Upload(f"doc-{documents}.md", f"# Document {documents}\n\n{body}".encode())
        (outcome,) = upload_documents(located=located, uploads=[upload], principal=person)
        began = time.perf_counter()
        ingest(located, str(outcome.document.pk))  # type: ignore[union-attr]
        took += time.perf_counter() - began
        documents += 1
        with opened(located):
            chunks = Chunk.objects.filter(knowledge_base=located.kb, is_parent=False).count()
        if chunks >= target:
            break
    print(f"ingestion: {documents} documents, {chunks:,} chunks in {took:.1f} s: "
          f"{chunks / took:.1f} chunks/s (extract, chunk, embed, store)")  # fmt: skip


def volume(tenant: Any, name: str, texts: list[str] | None, vectors: np.ndarray) -> Base:
    """A knowledge base of `len(vectors)` ready chunks, loaded without its index, which is
    then built in one go (as an operator would for a bulk load)."""
    from django.db import connection

    from knowledge.models import Chunk, Document
    from knowledge.search_indexes import create_search_index, drop_search_index
    from knowledge.services import create_knowledge_base
    from knowledge.stores import opened

    located = create_knowledge_base(
        tenant=tenant, name=name, isolation="siloed", embedding_model="local/all-minilm-l6-v2",
        chunking={"kind": "recursive"}, actor="bench",
    )  # fmt: skip
    size = len(vectors)
    drop_search_index(schema=located.schema_name, kb_id=located.kb.pk)
    with opened(located):
        document = Document.objects.create(
            knowledge_base=located.kb, tenant_id=tenant.pk, filename=name, size=0,
            sha256="0" * 64, content=b"", status="ready",
        )  # fmt: skip
        for start in range(0, size, 5000):
            Chunk.objects.bulk_create(
                Chunk(document=document, knowledge_base=located.kb, tenant_id=tenant.pk,
                      index=n, text=texts[n] if texts else f"random {n}", tokens=1,
                      dimensions=384, embedding=vectors[n])
                for n in range(start, min(size, start + 5000))
            )  # fmt: skip
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")  # the graph fits: one pass
            create_search_index(schema=located.schema_name, kb_id=located.kb.pk, dimensions=384)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("ANALYZE knowledge_chunk, knowledge_document")
        built = time.perf_counter() - began
    base = Base(located, name, size)
    print(f"{name:>13} | {built:>7.1f} | {plan_of(base, vectors[0])}")
    return base


def plan_of(base: Base, vector: np.ndarray) -> str:
    """The scan line of EXPLAIN for the query retrieve() sends, with its settings."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from knowledge.retrieval import Filters, nearest_chunk_ids, scan_for
    from knowledge.stores import opened

    with opened(base.located), CaptureQueriesContext(connection) as captured:
        scan = scan_for(base.located, 10, Filters())
        nearest_chunk_ids(base.located, vector.tolist(), 10, Filters(), scan)
    # One statement: the scan's settings, then the search.
    sent = next(q["sql"] for q in captured.captured_queries if "<=>" in q["sql"]).split(";\n")
    search = next(sql for sql in sent if "<=>" in sql)
    settings = [sql for sql in sent[: sent.index(search)] if sql.startswith("SET")]
    with opened(base.located), connection.cursor() as cursor:
        cursor.execute("BEGIN")
        for sql in settings:
            cursor.execute(sql)
        cursor.execute(f"EXPLAIN {search}")
        lines = [row[0].strip() for row in cursor.fetchall()]
        cursor.execute("ROLLBACK")
    scans = [line.removeprefix("->  ") for line in lines if " Scan " in line or "Scan on" in line]
    return f"{'exact' if scan.exact else f'ef_search {scan.ef_search}'}: " + "; ".join(
        re.sub(r"\s+\(cost=.*", "", line) for line in scans
    )


def exact_ids(base: Base, vector: np.ndarray) -> list[int]:
    from knowledge.retrieval import Filters, Scan, nearest_chunk_ids
    from knowledge.stores import opened

    with opened(base.located):
        return nearest_chunk_ids(base.located, vector.tolist(), 10, Filters(), Scan(exact=True))


def curve(base: Base, queries: np.ndarray) -> None:
    from knowledge.retrieval import Filters, Scan, nearest_chunk_ids
    from knowledge.stores import opened

    exact, exact_ms = zip(
        *(timed(lambda v=v: set(exact_ids(base, v))) for v in queries), strict=True
    )
    cells = []
    with opened(base.located):
        for ef in EF_CURVE:
            recalls, latencies = [], []
            for vector, truth in zip(queries, exact, strict=True):
                scan = Scan(exact=False, ef_search=ef)
                found, ms = timed(
                    lambda v=vector, s=scan: nearest_chunk_ids(base.located, v.tolist(), 10,
                                                               Filters(), s)
                )  # fmt: skip
                recalls.append(len(truth & set(found)) / 10)
                latencies.append(ms)
            cells.append(f"{statistics.mean(recalls):.3f} {statistics.median(latencies):5.1f}")
    exact_p50 = statistics.median(exact_ms)
    print(f"{base.name:>13} | {exact_p50:5.1f} | " + " | ".join(cells), flush=True)


def over_http(
    tenant: Any, port: int, bases: list[Base], queries: list[str], vectors: np.ndarray
) -> None:
    from identity.services import create_service_account
    from knowledge.models import Chunk
    from knowledge.stores import opened

    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ATRIUM_DB_POOL": "true"}  # as `up` serves: pooled connections
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--port", str(port),
         "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            if server.poll() is not None:  # never wait on a server that is gone
                sys.exit(f"the web server exited with status {server.returncode} on start")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        account, secret = create_service_account(tenant=tenant, name="bench", actor="bench")
        granted = httpx.post(
            f"{url}/idp/token/", data={"grant_type": "client_credentials"},
            auth=(account.client_id, secret),
        )  # fmt: skip
        if granted.status_code != 200:
            sys.exit(f"no token: {granted.status_code} {granted.text[:300]}")
        token = granted.json()["access_token"]
        print(f"\nover HTTP, concurrency 1, {len(queries)} queries per base, query embedding "
              f"included; targets: p99 < {TARGET_P99_MS:.0f} ms, "
              f"recall@10 >= {TARGET_RECALL}")  # fmt: skip
        print(f"{'base':>13} | {'p50 ms':>6} {'p99 ms':>6} | recall@10 | errors")
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for base in bases:
                endpoint = f"{url}/t/{tenant.slug}/v1/knowledge-bases/{base.located.kb.pk}/retrieve"
                for query in queries[:20]:  # warm: the model loaded, the pool filled
                    client.post(endpoint, json={"query": query, "top_k": 10})
                latencies, recalls, errors = [], [], 0
                with opened(base.located):
                    index_of = dict(
                        Chunk.objects.filter(knowledge_base=base.located.kb).values_list(
                            "id", "index"
                        )
                    )
                # The exact answers first: a full scan between two timed requests would push
                # the index out of the database's cache and time that instead.
                truths = [{index_of[chunk_id] for chunk_id in exact_ids(base, vector)}
                          for vector in vectors[: len(queries)]]  # fmt: skip
                for query, truth in zip(queries, truths, strict=True):
                    reply, ms = timed(
                        lambda q=query, e=endpoint: client.post(e, json={"query": q, "top_k": 10})
                    )
                    if reply.status_code != 200 or len(reply.json()["data"]) != 10:
                        errors += 1
                        continue
                    latencies.append(ms)
                    got = {hit["chunk_index"] for hit in reply.json()["data"]}
                    recalls.append(len(got & truth) / 10)
                p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
                recall = statistics.mean(recalls)
                met = "met" if p99 < TARGET_P99_MS and recall >= TARGET_RECALL else "NOT met"
                print(f"{base.name:>13} | {p50:>6.1f} {p99:>6.1f} | {recall:>9.3f} | "
                      f"{errors:>6} | target {met}", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
