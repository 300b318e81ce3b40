"""One evaluation job, run by a Celery worker in the tenant's schema: each chosen model answers
each item through the gateway exactly as the portal's other features call it (allowlist,
budgets, rate limits, guardrails, metering), as the person who started the job (their role and
business units as they are when it runs), and each answer is scored and kept.

Resumable: each result is kept as soon as its call returns, once per (job, model, item), so a
job redelivered after a worker died asks only what it has no answer to yet. One run at a time:
a run leases the job (renewed before each call), and a second delivery waits for the lease."""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, ExpressionWrapper, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from evaluation import scoring
from evaluation.models import DatasetItem, EvaluationJob, EvaluationResult
from gateway import calls
from guardrails.engine import GuardrailBlocked
from identity.principals import Principal, person_in_tenant
from kernel.errors import DomainError
from models_catalog.models import Modality
from providers.types import ChatRequest, Message
from tenants.models import Tenant

logger = logging.getLogger("atrium.evaluation")

Status = EvaluationJob.Status
# Longer than one call (its retries and fallbacks included) and its scoring: a call that takes
# longer lets a second delivery ask that one item again (its result is still kept once).
LEASE_SECONDS = 600
NOT_A_MEMBER = "The person who started the job no longer belongs to this tenant."


class JobBusy(Exception):
    """Another run (a second delivery of the task) holds the job's lease: come back later."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"another run holds this job for up to {seconds} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Answer:
    text: str = ""
    blocked: bool = False
    latency_ms: int = 0
    cost: Decimal | None = None  # as billed: the settled usage event's
    currency: str = ""
    error: str = ""


def _starter(job: EvaluationJob, tenant: Tenant) -> Principal | None:
    """Who started the job, as a principal of the tenant now (None if no longer a member)."""
    user = get_user_model().objects.filter(pk=job.created_by_id, is_active=True).first()
    return None if user is None else person_in_tenant(user, tenant)


async def _streamed(call: calls.ChatCall) -> tuple[str, calls.Settled]:
    """The answer's text and how its call was settled (its usage event, or its failure)."""
    pieces: list[str] = []
    async for item in calls.stream(call):
        if isinstance(item, calls.Settled):
            return "".join(pieces), item
        pieces.append(item.text)
    raise RuntimeError("the gateway's stream ended without settling its call")


def ask(caller: calls.Caller, model: str, prompt: str, max_tokens: int) -> Answer:
    """One model call through the gateway; a refusal or failure is an answer with its error.
    Its cost is the one billed: the usage event's (a fallback that answered, at its price)."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        resolved = calls.resolve(caller.tenant, model, Modality.CHAT, caller.principal.unit_ids)
        chat = ChatRequest(
            messages=(Message("user", prompt),), max_tokens=max_tokens, temperature=0.0
        )
        call = calls.start_chat(caller, resolved, model, chat, stream=True, include_usage=True)
    except GuardrailBlocked as blocked:
        return Answer(blocked=True, latency_ms=elapsed(), error=blocked.message[:500])
    except DomainError as error:
        return Answer(latency_ms=elapsed(), error=error.message[:500])
    text, settled = async_to_sync(_streamed)(call)
    billed = {"cost": settled.event.get("cost"), "currency": settled.event.get("currency", "")}
    failure = settled.failure
    if failure is not None:
        refused = isinstance(failure, GuardrailBlocked)  # the answer, blocked: still billed
        return Answer(blocked=refused, latency_ms=elapsed(), error=failure.message[:500], **billed)
    return Answer(text=text.strip(), latency_ms=elapsed(), **billed)


def _keep(job: EvaluationJob, model: str, item: DatasetItem, answer: Answer) -> None:
    """Score the answer and keep it (once: a result already kept stays as it is)."""
    (similarity,) = scoring.similarities([(answer.text, item.expected)])
    EvaluationResult.objects.get_or_create(
        job=job,
        model=model,
        item=item,
        defaults={
            "answer": answer.text,
            "exact_match": bool(answer.text) and scoring.exact_match(answer.text, item.expected),
            "token_f1": scoring.token_f1(answer.text, item.expected) if answer.text else 0.0,
            "similarity": similarity,
            "guardrail_blocked": answer.blocked,
            "latency_ms": answer.latency_ms,
            "cost": answer.cost,
            "currency": answer.currency,
            "error": answer.error,
        },
    )


def _lease_ends() -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(Now() + timedelta(seconds=LEASE_SECONDS), output_field=DateTimeField())


def _claim(job_id: str, run: str) -> EvaluationJob | None:
    """The job, leased to `run` and running; None if it is gone or finished. JobBusy if another
    run holds it (the database's clock decides, the same for every worker)."""
    unfinished = EvaluationJob.objects.filter(pk=job_id, status__in=(Status.QUEUED, Status.RUNNING))
    claimed = unfinished.filter(Q(leased_until__isnull=True) | Q(leased_until__lt=Now())).update(
        status=Status.RUNNING,
        lease=run,
        leased_until=_lease_ends(),
        started_at=Coalesce("started_at", Now()),
    )
    if claimed:
        return EvaluationJob.objects.select_related("dataset").get(pk=job_id)
    held = unfinished.values("leased_until").first()
    if held is None:
        return None  # deleted meanwhile, or finished
    until = held["leased_until"] or timezone.now()  # let go of just now: try again soon
    raise JobBusy(max(1, math.ceil((until - timezone.now()).total_seconds())))


def _renewed(job: EvaluationJob, run: str) -> bool:
    """Whether `run` still holds the job's lease (then renewed); False once another took it."""
    return EvaluationJob.objects.filter(pk=job.pk, lease=run).update(leased_until=_lease_ends()) > 0


def _finish(job: EvaluationJob, run: str, status: str, failure: str = "") -> None:
    EvaluationJob.objects.filter(pk=job.pk, lease=run).update(
        status=status, failure=failure[:500], finished_at=Now(), lease="", leased_until=None
    )


def _run_model(
    job: EvaluationJob, run: str, caller: calls.Caller, model: str, items: list[DatasetItem]
) -> bool:
    """Ask `model` each item it has no result for yet, keeping each result as soon as its call
    returns; False if the job's lease was lost meanwhile (another run goes on with it)."""
    done = set(
        EvaluationResult.objects.filter(job=job, model=model).values_list("item_id", flat=True)
    )
    for item in items:
        if item.pk in done:
            continue
        if not _renewed(job, run):
            return False
        _keep(job, model, item, ask(caller, model, item.prompt, job.max_tokens))
    return True


def run_job(tenant: Tenant, job_id: str) -> None:
    """Run (or resume) the job; it ends `done`, or `failed` with the reason. JobBusy if another
    run is at work on it."""
    run = uuid.uuid4().hex
    job = _claim(job_id, run)
    if job is None:
        return
    starter = _starter(job, tenant)
    if starter is None:
        _finish(job, run, Status.FAILED, NOT_A_MEMBER)
        return
    caller = calls.Caller(tenant, starter)
    items = list(job.dataset.items.order_by("line"))
    try:
        for model in job.model_names:
            if not _run_model(job, run, caller, model, items):
                logger.warning("evaluation job %s was taken over by another run", job.pk)
                return
    except Exception as error:
        logger.exception("evaluation job %s failed", job.pk)
        _finish(job, run, Status.FAILED, f"The job stopped: {error}")
        raise
    _finish(job, run, Status.DONE)
