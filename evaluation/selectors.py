"""Reads of evaluation (the active schema is the tenant's, which is the boundary): datasets,
jobs, the per-model summary of a job, its results for the report and the download, a person's
verdicts on answers, and the feedback waiting to be curated."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from evaluation.models import (
    Dataset,
    DatasetItem,
    EvaluationJob,
    EvaluationResult,
    Feedback,
    ResponseFeedback,
)
from kernel.errors import NotFound
from models_catalog.models import Modality
from models_catalog.selectors import usable_models
from tenants.models import Tenant

RECENT = 100


class Median(Aggregate):
    """PostgreSQL's continuous median."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _key(value: Any) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None


def find_dataset(dataset_id: Any) -> Dataset:
    """The dataset, or NotFound (a malformed id reads the same as a missing one)."""
    found = Dataset.objects.filter(pk=_key(dataset_id)).first() if _key(dataset_id) else None
    if found is None:
        raise NotFound(f"No dataset {dataset_id}.")
    return found


def find_job(job_id: Any) -> EvaluationJob:
    key = _key(job_id)
    found = EvaluationJob.objects.select_related("dataset").filter(pk=key).first() if key else None
    if found is None:
        raise NotFound(f"No evaluation job {job_id}.")
    return found


def datasets() -> QuerySet[Dataset]:
    return Dataset.objects.annotate(item_count=Count("items"))


def recent_jobs() -> QuerySet[EvaluationJob]:
    return EvaluationJob.objects.select_related("dataset").annotate(result_count=Count("results"))[
        :RECENT
    ]


def items_of(dataset: Dataset) -> QuerySet[DatasetItem]:
    return dataset.items.order_by("line")


def chat_model_names(tenant: Tenant, unit_ids: Collection[int]) -> list[str]:
    """The chat models the person may call now (the tenant's grants and those of `unit_ids`, their
    business units): what their job can compare."""
    found = usable_models(tenant, timezone.now(), unit_ids=unit_ids).filter(modality=Modality.CHAT)
    return list(found.order_by("name").values_list("name", flat=True))


@dataclass(frozen=True)
class ModelSummary:
    model: str
    results: int
    exact_match_rate: float  # 0..1
    mean_token_f1: float
    mean_similarity: float
    guardrail_hit_rate: float
    errors: int
    p50_latency_ms: float | None  # over answered calls
    total_cost: Decimal | None
    currency: str


def model_summaries(job: EvaluationJob) -> list[ModelSummary]:
    """Per model of the job (in the order chosen): a failed or blocked call is a wrong answer."""
    answered = Q(error="", guardrail_blocked=False)
    rows = {
        row["model"]: row
        for row in EvaluationResult.objects.filter(job=job)
        .values("model")
        .annotate(
            results=Count("id"),
            exact=Count("id", filter=Q(exact_match=True)),
            f1=Avg("token_f1"),
            similarity=Avg("similarity"),
            blocked=Count("id", filter=Q(guardrail_blocked=True)),
            errors=Count("id", filter=Q(guardrail_blocked=False) & ~Q(error="")),
            p50=Median("latency_ms", filter=answered),
            cost=Sum("cost"),
            currency=Max("currency"),
        )
    }
    summaries = []
    for model in job.model_names:
        row = rows.get(model)
        if row is None:
            continue
        summaries.append(
            ModelSummary(
                model=model,
                results=row["results"],
                exact_match_rate=row["exact"] / row["results"],
                mean_token_f1=row["f1"] or 0.0,
                mean_similarity=row["similarity"] or 0.0,
                guardrail_hit_rate=row["blocked"] / row["results"],
                errors=row["errors"],
                p50_latency_ms=row["p50"],
                total_cost=row["cost"],
                currency=row["currency"] or "",
            )
        )
    return summaries


def chart_data(summaries: list[ModelSummary]) -> dict[str, Any]:
    """What the report's charts draw: scores in percent, and the median latency."""
    return {
        "models": [s.model for s in summaries],
        "scores": {
            "Exact match": [round(s.exact_match_rate * 100, 1) for s in summaries],
            "Token F1": [round(s.mean_token_f1 * 100, 1) for s in summaries],
            "Similarity": [round(s.mean_similarity * 100, 1) for s in summaries],
            "Guardrail hits": [round(s.guardrail_hit_rate * 100, 1) for s in summaries],
        },
        "latency": [s.p50_latency_ms for s in summaries],
    }


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int


def progress_of(job: EvaluationJob) -> Progress:
    answered = EvaluationResult.objects.filter(job=job).count()
    return Progress(answered, job.dataset.items.count() * len(job.model_names))


def results_of(job: EvaluationJob) -> QuerySet[EvaluationResult]:
    return (
        EvaluationResult.objects.filter(job=job)
        .select_related("item")
        .order_by("item__line", "model")
    )


EXPORT_FIELDS = (
    "model",
    "line",
    "prompt",
    "expected",
    "answer",
    "exact_match",
    "token_f1",
    "similarity",
    "guardrail_blocked",
    "latency_ms",
    "cost",
    "currency",
    "error",
)


def export_rows(job: EvaluationJob) -> Iterator[dict[str, Any]]:
    """Every result of the job, flat, for the CSV and JSONL downloads."""
    for result in results_of(job).iterator(chunk_size=500):
        yield {
            "model": result.model,
            "line": result.item.line,
            "prompt": result.item.prompt,
            "expected": result.item.expected,
            "answer": result.answer,
            "exact_match": result.exact_match,
            "token_f1": round(result.token_f1, 4),
            "similarity": round(result.similarity, 4),
            "guardrail_blocked": result.guardrail_blocked,
            "latency_ms": result.latency_ms,
            "cost": None if result.cost is None else format(result.cost, "f"),
            "currency": result.currency,
            "error": result.error,
        }


@dataclass(frozen=True)
class FeedbackRow:
    id: int | str  # a playground verdict's id, or "api-<id>" for one given through the API
    rating: int
    comment: str
    prompt: str
    answer: str
    model: str
    created_at: Any
    datasets: tuple[str, ...]  # the curated datasets that hold it already


def _answers() -> Any:
    """The model of the rated answers (the playground's `Turn`), reached through the verdict's
    own foreign key: the playground stands above evaluation, so evaluation reads the exchange
    it needs without importing it."""
    return Feedback._meta.get_field("turn").related_model


def with_questions(feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """Feedback on answers, each with `prompt`: the question its answer replied to."""
    turn = _answers()
    question = (
        turn.objects.filter(
            conversation_id=OuterRef("turn__conversation_id"),
            role=turn.Role.USER,
            id__lt=OuterRef("turn_id"),
        )
        .order_by("-id")
        .values("content")[:1]
    )
    return (
        feedback.filter(turn__role=turn.Role.ASSISTANT)
        .select_related("turn")
        .annotate(prompt=Subquery(question))
    )


def verdicts_on(turn_ids: list[int], user_id: int) -> dict[int, Feedback]:
    """The person's own verdicts on these answers, by the answer's id."""
    found = Feedback.objects.filter(turn_id__in=turn_ids, user_id=user_id)
    return {verdict.turn_id: verdict for verdict in found}


def feedback_to_curate(limit: int = 200) -> list[FeedbackRow]:
    """The latest feedback on answers, with the question each answer replied to."""
    found = list(with_questions(Feedback.objects.all()).order_by("-created_at")[:limit])
    held: dict[int, list[str]] = {}
    for feedback_id, name in DatasetItem.objects.filter(
        feedback_id__in=[f.pk for f in found]
    ).values_list("feedback_id", "dataset__name"):
        held.setdefault(feedback_id, []).append(name)
    rows = [
        FeedbackRow(
            id=f.pk,
            rating=f.rating,
            comment=f.comment,
            prompt=f.prompt or "",  # type: ignore[attr-defined]
            answer=f.turn.content,
            model=f.turn.model,
            created_at=f.created_at,
            datasets=tuple(sorted(held.get(f.pk, []))),
        )
        for f in found
    ]
    return sorted(rows + _api_feedback(limit), key=lambda row: row.created_at, reverse=True)


def _api_feedback(limit: int) -> list[FeedbackRow]:
    """Verdicts given through the API on calls the invocation log captured (the others have no
    question to evaluate with)."""
    found = list(ResponseFeedback.objects.exclude(prompt="").order_by("-created_at")[:limit])
    held: dict[int, list[str]] = {}
    for feedback_id, name in DatasetItem.objects.filter(
        response_feedback_id__in=[f.pk for f in found]
    ).values_list("response_feedback_id", "dataset__name"):
        held.setdefault(feedback_id, []).append(name)
    return [
        FeedbackRow(
            id=f"api-{f.pk}", rating=f.rating, comment=f.comment, prompt=f.prompt,
            answer=f.answer, model=f.model, created_at=f.created_at,
            datasets=tuple(sorted(held.get(f.pk, []))),
        )
        for f in found
    ]  # fmt: skip


def feedback_dataset_names() -> list[str]:
    return list(
        Dataset.objects.filter(source=Dataset.Source.FEEDBACK)
        .order_by("name")
        .values_list("name", flat=True)
    )
