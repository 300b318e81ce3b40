"""How a knowledge base answers questions (retrieve-and-generate): which passages are good enough
to cite, and whether a re-ranking model reorders the candidates first. Stored as JSON on the
knowledge base (`KnowledgeBase.answering`, empty: the defaults), validated here."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

# Cosine similarity between the question and a passage (the knowledge base's embedding model)
# below which the passage is neither given to the model nor cited. With all-MiniLM-L6-v2 a
# passage on the question's topic scores about 0.35-0.8 and an unrelated one about -0.1-0.15;
# 0.25 drops the unrelated ones and keeps loosely worded matches.
DEFAULT_MIN_RELEVANCE = 0.25
# With a re-ranker, this many times the passages asked for are retrieved as candidates.
RERANK_CANDIDATES_FACTOR = 4
MAX_RERANK_TOP_N = 50


@dataclass(frozen=True)
class AnswerSettings:
    """`min_relevance`: the cosine similarity a passage needs to be cited (-1 to 1; -1 keeps
    all). `rerank_model`: a rerank model of the catalogue the tenant may use, "" for none;
    `rerank_top_n`: how many of the re-ranked candidates are given to the chat model."""

    min_relevance: float = DEFAULT_MIN_RELEVANCE
    rerank_model: str = ""
    rerank_top_n: int = 4

    def __post_init__(self) -> None:
        value = self.min_relevance
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or not -1 <= value <= 1
        ):
            raise ValueError("min_relevance: a number from -1 to 1 (cosine similarity).")
        if not isinstance(self.rerank_model, str) or len(self.rerank_model) > 200:
            raise ValueError("rerank_model: the name of a rerank model, or empty for none.")
        top_n = self.rerank_top_n
        if not isinstance(top_n, int) or isinstance(top_n, bool) or not 1 <= top_n <= 50:
            raise ValueError(f"rerank_top_n: a whole number from 1 to {MAX_RERANK_TOP_N}.")

    @classmethod
    def from_dict(cls, raw: Any) -> AnswerSettings:
        """From stored or submitted settings (missing ones take their defaults); a ValueError
        names the offending field."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise ValueError("answering: an object with min_relevance, rerank_model, rerank_top_n.")
        for name in raw:
            if name not in cls.__dataclass_fields__:
                raise ValueError(f"{name}: is not an answering setting.")
        return cls(**raw)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
