"""A per-tenant cache of answers from a knowledge base: exact (the same question, normalised) and
semantic (a question whose embedding is close enough to one answered before). Keyed by the
knowledge base's version, so any change to it (a document ready, deleted) drops its answers;
entries also expire after KNOWLEDGE_ANSWER_CACHE_SECONDS."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings

from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from kernel.vectors import cosine
from knowledge.stores import Located

SEMANTIC_ENTRIES = 200  # the most recent answers compared by similarity


def _namespace(located: Located, model: str) -> str:
    kb = located.kb
    return tenant_key(located.tenant.pk, "answers", kb.pk, kb.version, model)


def _normalised(question: str) -> str:
    return " ".join(question.lower().split())


def exact(located: Located, model: str, question: str) -> dict[str, Any] | None:
    digest = hashlib.sha256(_normalised(question).encode()).hexdigest()
    raw = shared_redis().hget(f"{_namespace(located, model)}:exact", digest)
    return json.loads(raw) if raw else None


def similar(located: Located, model: str, vector: list[float]) -> dict[str, Any] | None:
    """The answer to the most similar earlier question, if similar enough."""
    best, best_score = None, settings.KNOWLEDGE_SEMANTIC_CACHE_THRESHOLD
    for raw in shared_redis().lrange(f"{_namespace(located, model)}:semantic", 0, -1):
        entry = json.loads(raw)
        if len(entry["vector"]) != len(vector):
            continue
        score = cosine(entry["vector"], vector)
        if score >= best_score:
            best, best_score = entry["answer"], score
    return best


def remember(
    located: Located, model: str, question: str, vector: list[float], answer: dict[str, Any]
) -> None:
    namespace = _namespace(located, model)
    digest = hashlib.sha256(_normalised(question).encode()).hexdigest()
    ttl = settings.KNOWLEDGE_ANSWER_CACHE_SECONDS
    with shared_redis().pipeline(transaction=False) as pipe:
        pipe.hset(f"{namespace}:exact", digest, json.dumps(answer))
        pipe.expire(f"{namespace}:exact", ttl)
        pipe.lpush(f"{namespace}:semantic", json.dumps({"vector": vector, "answer": answer}))
        pipe.ltrim(f"{namespace}:semantic", 0, SEMANTIC_ENTRIES - 1)
        pipe.expire(f"{namespace}:semantic", ttl)
        pipe.execute()
