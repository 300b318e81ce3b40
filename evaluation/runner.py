"""One evaluation job, run by a Celery worker in the tenant's schema: each chosen model answers
each item through the gateway exactly as the portal's other features call it (allowlist,
budgets, rate limits, guardrails, metering, charged to the person who started the job), and
each answer is scored and kept.

Resumable: results are unique per (job, model, item), so a job redelivered after a worker died
asks only what it has no answer to yet."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from asgiref.sync import async_to_sync
from django.utils import timezone

from evaluation import scoring
from evaluation.models import DatasetItem, EvaluationJob, EvaluationResult
from gateway import calls
from guardrails.engine import GuardrailBlocked
from identity.principals import Principal
from kernel.errors import DomainError
from metering.services import cost_of, price_for
from models_catalog.models import Modality
from providers.types import ChatRequest, Message
from tenants.models import Tenant

logger = logging.getLogger("atrium.evaluation")

BATCH = 16  # items asked, then scored and saved together
Status = EvaluationJob.Status


@dataclass(frozen=True)
class Answer:
    text: str = ""
    blocked: bool = False
    latency_ms: int = 0
    cost: Decimal | None = None
    currency: str = ""
    error: str = ""


def _starter(job: EvaluationJob, tenant: Tenant) -> Principal:
    return Principal(
        "user", job.created_by_id, job.created_by, "admin", tenant.slug, job.business_unit_id
    )


def ask(caller: calls.Caller, model: str, prompt: str, max_tokens: int) -> Answer:
    """One model call through the gateway; a refusal or failure is an answer with its error."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        resolved = calls.resolve(caller.tenant, model, Modality.CHAT, caller.principal.unit_ids)
        chat = ChatRequest(
            messages=(Message("user", prompt),), max_tokens=max_tokens, temperature=0.0
        )
        result = async_to_sync(calls.complete)(calls.start_chat(caller, resolved, model, chat))
    except GuardrailBlocked as blocked:
        return Answer(blocked=True, latency_ms=elapsed(), error=blocked.message[:500])
    except DomainError as error:
        return Answer(latency_ms=elapsed(), error=error.message[:500])
    latency = elapsed()
    price = price_for(resolved.entry, timezone.now())
    cost = cost_of(price, result.usage.prompt_tokens, result.usage.completion_tokens)
    return Answer(
        text=result.text.strip(),
        latency_ms=latency,
        cost=cost,
        currency=price.currency if price else "",
    )


def _scored(
    job: EvaluationJob, model: str, items: list[DatasetItem], answers: list[Answer]
) -> list[EvaluationResult]:
    similar = scoring.similarities(
        [(a.text, i.expected) for i, a in zip(items, answers, strict=True)]
    )
    return [
        EvaluationResult(
            job=job,
            model=model,
            item=item,
            answer=answer.text,
            exact_match=bool(answer.text) and scoring.exact_match(answer.text, item.expected),
            token_f1=scoring.token_f1(answer.text, item.expected) if answer.text else 0.0,
            similarity=similarity,
            guardrail_blocked=answer.blocked,
            latency_ms=answer.latency_ms,
            cost=answer.cost,
            currency=answer.currency,
            error=answer.error,
        )
        for item, answer, similarity in zip(items, answers, similar, strict=True)
    ]


def _run_model(
    job: EvaluationJob, caller: calls.Caller, model: str, items: list[DatasetItem]
) -> None:
    done = set(
        EvaluationResult.objects.filter(job=job, model=model).values_list("item_id", flat=True)
    )
    pending = [item for item in items if item.pk not in done]
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        answers = [ask(caller, model, item.prompt, job.max_tokens) for item in batch]
        EvaluationResult.objects.bulk_create(
            _scored(job, model, batch, answers), ignore_conflicts=True
        )


def run_job(tenant: Tenant, job_id: str) -> None:
    """Run (or resume) the job; it ends `done`, or `failed` with the reason."""
    job = EvaluationJob.objects.select_related("dataset").filter(pk=job_id).first()
    if job is None or job.status in (Status.DONE, Status.FAILED):
        return  # deleted meanwhile, or finished
    EvaluationJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=job.started_at or timezone.now()
    )
    caller = calls.Caller(tenant, _starter(job, tenant))
    items = list(job.dataset.items.order_by("line"))
    try:
        for model in job.model_names:
            _run_model(job, caller, model, items)
    except Exception as error:
        logger.exception("evaluation job %s failed", job.pk)
        EvaluationJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED,
            failure=f"The job stopped: {error}"[:500],
            finished_at=timezone.now(),
        )
        raise
    EvaluationJob.objects.filter(pk=job.pk).update(status=Status.DONE, finished_at=timezone.now())
