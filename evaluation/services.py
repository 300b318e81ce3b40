"""Writes of evaluation: verdicts on answers (a playground turn's, an API response's), datasets
(a JSONL upload, refused whole with the line and field named; or curated from those verdicts),
and evaluation jobs, queued to a Celery worker that runs them in this tenant's schema
(`evaluation.runner`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Max

from audit.services import record_audit
from evaluation.models import (
    Dataset,
    DatasetItem,
    EvaluationJob,
    Feedback,
    ResponseFeedback,
)
from evaluation.selectors import find_dataset, with_questions
from gateway import calls
from guardrails.models import InvocationRecord
from identity.principals import Principal
from kernel.errors import Conflict, InvalidInput, NotFound
from kernel.request_json import read_json
from metering.models import UsageEvent
from models_catalog.models import Modality
from tenants.models import Tenant
from tenants.schemas import in_schema

MAX_LINES = 5_000
MAX_MODELS = 5
MAX_TOKENS_LIMIT = 4_096
# A verdict's comment, on the playground and through POST /v1/feedback alike.
MAX_COMMENT = 4_000  # the API took 4,000 before the playground and the API shared one limit
RATINGS: dict[str | int, int] = {"up": 1, "down": -1, "1": 1, "-1": -1, 1: 1, -1: -1}


@dataclass(frozen=True)
class Verdict:
    """A person's verdict on an answer: 1 (thumbs up) or -1 (down), and a comment."""

    rating: int
    comment: str


def verdict_of(*, rating: object, comment: object) -> Verdict:
    """A verdict as a request gives it (rating 'up' or 'down', or 1 or -1; an optional comment
    of at most MAX_COMMENT characters), or InvalidInput naming the field."""
    found = None
    # True and 1.0 equal 1 (and hash alike): only text and whole numbers rate, never a bool.
    if isinstance(rating, str | int) and not isinstance(rating, bool):
        found = RATINGS.get(rating)
    if found is None:
        raise InvalidInput("rating: 'up' or 'down'.")
    text = "" if comment is None else comment
    if not isinstance(text, str) or len(text) > MAX_COMMENT:
        raise InvalidInput(f"comment: text of at most {MAX_COMMENT:,} characters.")
    return Verdict(found, text)


def record_answer_feedback(*, turn_id: int, user_id: int, verdict: Verdict) -> Feedback:
    """A verdict on a playground answer the caller has checked is the person's own; giving it
    again replaces the earlier one."""
    feedback, _ = Feedback.objects.update_or_create(
        turn_id=turn_id, user_id=user_id,
        defaults={"rating": verdict.rating, "comment": verdict.comment},
    )  # fmt: skip
    return feedback


def _captured_exchange(request_id: str) -> dict[str, str]:
    """The question and answer of a captured call (invocation logging), for curation."""
    record = InvocationRecord.objects.filter(request_id=request_id).first()
    if record is None:
        return {}
    questions = [m["content"] for m in record.input_messages if m.get("role") == "user"]
    return {"prompt": questions[-1] if questions else "", "answer": record.output_text,
            "model": record.model}  # fmt: skip


def record_response_feedback(
    *, request_id: str, principal: Principal, verdict: Verdict
) -> ResponseFeedback:
    """A caller's verdict on one of this tenant's API responses, with the exchange when the
    call was captured; giving it again replaces the earlier one."""
    if not UsageEvent.objects.filter(request_id=request_id).exists():  # scoped to the tenant
        raise NotFound(
            f"response_id: no response {request_id} of this tenant (responses are recorded "
            "within seconds of the call)."
        )
    saved, _ = ResponseFeedback.objects.update_or_create(
        request_id=request_id, principal_type=principal.kind, principal_id=principal.id,
        defaults={"principal_name": principal.name, "rating": verdict.rating,
                  "comment": verdict.comment,
                  **_captured_exchange(request_id)},
    )  # fmt: skip
    return saved


@dataclass(frozen=True)
class Pair:
    line: int
    prompt: str
    expected: str


def _text_field(record: dict[str, Any], field: str, line: int) -> str:
    value = record.get(field)
    if not isinstance(value, str) or not value.strip():
        found = "is missing" if value is None else "must be a non-empty string"
        raise InvalidInput(f"Line {line}: the field {field!r} {found}.")
    return value.strip()


def parse_jsonl(data: bytes) -> list[Pair]:
    """Each non-blank line `{"prompt": ..., "expected": ...}`, or InvalidInput naming the
    first bad line and field."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(f"Line {line}: the file is not UTF-8 text.") from None
    lines = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise InvalidInput("The file is empty: give one JSON object per line.")
    if len(lines) > MAX_LINES:
        raise InvalidInput(
            f"The file has {len(lines):,} lines: at most {MAX_LINES:,} lines per dataset."
        )
    pairs = []
    for line, raw in lines:
        try:
            record = read_json(raw)
        except InvalidInput as error:
            raise InvalidInput(f"Line {line}: {error.message}") from None
        if not isinstance(record, dict):
            raise InvalidInput(f"Line {line}: expected a JSON object with prompt and expected.")
        pairs.append(
            Pair(line, _text_field(record, "prompt", line), _text_field(record, "expected", line))
        )
    return pairs


def _dataset_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("name: give the dataset a name of 1 to 120 characters.")
    return name


def upload_dataset(
    *, tenant: Tenant, name: str, description: str, data: bytes, actor: str
) -> Dataset:
    """A dataset from a JSONL upload: every line accepted, or nothing saved."""
    name = _dataset_name(name)
    pairs = parse_jsonl(data)
    try:
        with transaction.atomic():
            dataset = Dataset.objects.create(
                name=name,
                description=description.strip(),
                source=Dataset.Source.UPLOAD,
                created_by=actor,
            )
            DatasetItem.objects.bulk_create(
                DatasetItem(dataset=dataset, line=p.line, prompt=p.prompt, expected=p.expected)
                for p in pairs
            )
    except IntegrityError:
        raise Conflict(f"name: there is already a dataset called {name!r}.") from None
    record_audit(
        actor=actor,
        action="evaluation_dataset.upload",
        target=dataset,
        tenant=tenant,
        after={"name": name, "items": len(pairs)},
    )
    return dataset


@dataclass(frozen=True)
class FeedbackPick:
    feedback_id: int
    expected: str
    from_api: bool = False  # a ResponseFeedback (POST /v1/feedback), not a playground one


def _exchange(pick: FeedbackPick, playground: dict[int, Any], api: dict[int, Any]) -> Any:
    found = (api if pick.from_api else playground).get(pick.feedback_id)
    label = f"Feedback {'api-' if pick.from_api else ''}{pick.feedback_id}"
    if found is None:
        raise InvalidInput(f"{label} no longer exists: reload.")
    prompt = found.prompt or ""
    if not pick.expected.strip():
        raise InvalidInput(f"{label}: write the expected answer first.")
    if not prompt:
        raise InvalidInput(f"{label}: no question before this answer.")
    return found


def _feedback_dataset(name: str, actor: str) -> Dataset:
    dataset, _ = Dataset.objects.select_for_update().get_or_create(
        name=name, defaults={"source": Dataset.Source.FEEDBACK, "created_by": actor}
    )
    if dataset.source != Dataset.Source.FEEDBACK:
        raise Conflict(f"name: {name!r} is an uploaded dataset; pick another name.")
    return dataset


def add_feedback_items(
    *, tenant: Tenant, dataset_name: str, picks: Iterable[FeedbackPick], actor: str
) -> tuple[Dataset, int]:
    """Accept picked feedback into a curated dataset (created on first use): the question
    before the rated answer is the prompt; the expected answer is the curator's (for a thumbs
    up, by default, the answer itself). Feedback already in the dataset is skipped. All or
    nothing; returns the dataset and how many items were added."""
    name, picks = _dataset_name(dataset_name), list(picks)
    if not picks:
        raise InvalidInput("Tick at least one piece of feedback to add.")
    playground = with_questions(Feedback.objects.all()).in_bulk(
        [p.feedback_id for p in picks if not p.from_api]
    )
    api = ResponseFeedback.objects.in_bulk([p.feedback_id for p in picks if p.from_api])
    with transaction.atomic():
        dataset = _feedback_dataset(name, actor)
        have = {
            (bool(api_id), api_id or feedback_id)
            for feedback_id, api_id in dataset.items.values_list(
                "feedback_id", "response_feedback_id"
            )
        }
        line = dataset.items.aggregate(last=Max("line"))["last"] or 0
        items = []
        for pick in picks:
            exchange = _exchange(pick, playground, api)
            if (pick.from_api, exchange.pk) in have:
                continue
            line += 1
            have.add((pick.from_api, exchange.pk))
            source = {"response_feedback": exchange} if pick.from_api else {"feedback": exchange}
            items.append(
                DatasetItem(dataset=dataset, line=line, prompt=exchange.prompt,
                            expected=pick.expected.strip(), **source)
            )  # fmt: skip
        DatasetItem.objects.bulk_create(items)
    record_audit(
        actor=actor,
        action="evaluation_dataset.curate",
        target=dataset,
        tenant=tenant,
        after={"name": name, "added": len(items)},
    )
    return dataset, len(items)


def _checked_models(
    tenant: Tenant, names: list[str], max_tokens: int, unit_ids: frozenset[int]
) -> list[str]:
    chosen = list(dict.fromkeys(name for name in names if name))
    if not chosen:
        raise InvalidInput("models: pick at least one model.")
    if len(chosen) > MAX_MODELS:
        raise InvalidInput(f"models: compare at most {MAX_MODELS} models in one job.")
    for name in chosen:
        entry = calls.resolve(tenant, name, Modality.CHAT, unit_ids).entry  # not yours, retired
        if max_tokens > entry.max_output_tokens:
            raise InvalidInput(
                f"max_tokens: {name} writes at most {entry.max_output_tokens} tokens."
            )
    return chosen


def _queue(schema: str, job_id: UUID) -> None:
    from evaluation.tasks import run_evaluation_job_task

    with in_schema(schema):  # the task runs in the schema of the tenant that queued it
        run_evaluation_job_task.delay(str(job_id))


def start_evaluation_job(
    *,
    tenant: Tenant,
    dataset_id: Any,
    model_names: list[str],
    max_tokens: Any,
    principal: Principal,
) -> EvaluationJob:
    """Queue a job running each model over the dataset, as `principal` (their allowlist,
    budgets, rate limits and guardrails apply to every call)."""
    dataset = find_dataset(dataset_id)
    try:
        tokens = int(max_tokens)
    except (TypeError, ValueError):
        raise InvalidInput("max_tokens: a whole number.") from None
    if not 1 <= tokens <= MAX_TOKENS_LIMIT:
        raise InvalidInput(f"max_tokens: from 1 to {MAX_TOKENS_LIMIT}.")
    chosen = _checked_models(tenant, model_names, tokens, principal.unit_ids)
    if not dataset.items.exists():
        raise InvalidInput(f"{dataset.name} has no items yet.")
    with transaction.atomic():
        job = EvaluationJob.objects.create(
            dataset=dataset,
            model_names=chosen,
            max_tokens=tokens,
            created_by=principal.name,
            created_by_id=principal.id,
            business_unit_id=principal.business_unit_id,
        )
        record_audit(
            actor=principal.name,
            action="evaluation_job.start",
            target=job,
            tenant=tenant,
            after={"dataset": dataset.name, "models": chosen},
        )
        schema = tenant.schema_name
        transaction.on_commit(lambda: _queue(schema, job.pk))
    return job
