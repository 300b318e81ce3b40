"""A per-tenant cache of answers from a knowledge base: exact (the same question, normalised) and
semantic (a question whose embedding is close enough to one answered before). Keyed by the
knowledge base's version, so any change to it (a document ready, deleted) drops its answers, and
by the request's `Scope`, so an answer is only ever reused by a request that would have been
given the same passages and the same model under the same guardrails; entries also expire after
KNOWLEDGE_ANSWER_CACHE_SECONDS."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from kernel.vectors import cosine
from knowledge.retrieval import Filters
from knowledge.stores import Located

SEMANTIC_ENTRIES = 200  # the most recent answers compared by similarity


@dataclass(frozen=True)
class Scope:
    """Everything besides the question that changes an answer: what is searched (mode, top_k,
    filters), who answers (the model asked for and the catalogue entry and version serving it),
    how long the answer may be, and the guardrail policies it passed (`policy_digest`: a save
    of the tenant's policy or of the floor leaves the answers given before it behind)."""

    model: str
    served_by: str
    top_k: int
    mode: str
    filters: Filters
    max_tokens: int
    guardrails: str

    def digest(self) -> str:
        filters = self.filters
        canonical = {
            "model": self.model, "served_by": self.served_by, "top_k": self.top_k,
            "mode": self.mode, "max_tokens": self.max_tokens, "guardrails": self.guardrails,
            # A document must match every tag and any listed id: order and repeats change nothing.
            "document_ids": sorted(set(filters.document_ids)), "tags": sorted(set(filters.tags)),
            "dated_from": filters.dated_from.isoformat() if filters.dated_from else None,
            "dated_to": filters.dated_to.isoformat() if filters.dated_to else None,
        }  # fmt: skip
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:32]


def _namespace(located: Located, scope: Scope) -> str:
    kb = located.kb
    return tenant_key(located.tenant.pk, "answers", kb.pk, kb.version, scope.digest())


def _normalised(question: str) -> str:
    return " ".join(question.lower().split())


def exact(located: Located, scope: Scope, question: str) -> dict[str, Any] | None:
    """The answer given before to this question (normalised) in this scope."""
    digest = hashlib.sha256(_normalised(question).encode()).hexdigest()
    raw = shared_redis().hget(f"{_namespace(located, scope)}:exact", digest)
    return json.loads(raw) if raw else None


def similar(located: Located, scope: Scope, vector: list[float]) -> dict[str, Any] | None:
    """The answer to the most similar earlier question in this scope, if similar enough."""
    best, best_score = None, settings.KNOWLEDGE_SEMANTIC_CACHE_THRESHOLD
    for raw in shared_redis().lrange(f"{_namespace(located, scope)}:semantic", 0, -1):
        entry = json.loads(raw)
        if len(entry["vector"]) != len(vector):
            continue
        score = cosine(entry["vector"], vector)
        if score >= best_score:
            best, best_score = entry["answer"], score
    return best


def remember(
    located: Located, scope: Scope, question: str, vector: list[float], answer: dict[str, Any]
) -> None:
    """Keep `answer` for this question and for similar ones, in this scope only."""
    namespace = _namespace(located, scope)
    digest = hashlib.sha256(_normalised(question).encode()).hexdigest()
    ttl = settings.KNOWLEDGE_ANSWER_CACHE_SECONDS
    with shared_redis().pipeline(transaction=False) as pipe:
        pipe.hset(f"{namespace}:exact", digest, json.dumps(answer))
        pipe.expire(f"{namespace}:exact", ttl)
        pipe.lpush(f"{namespace}:semantic", json.dumps({"vector": vector, "answer": answer}))
        pipe.ltrim(f"{namespace}:semantic", 0, SEMANTIC_ENTRIES - 1)
        pipe.expire(f"{namespace}:semantic", ttl)
        pipe.execute()
