"""Pages of evaluation, for tenant administrators (members get the house 404): datasets and
jobs with the upload and start forms, a dataset's items, a job's report (per-model table and
charts, per-item results, downloads), and the page that curates playground feedback into a
dataset."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluation import selectors, services
from evaluation.models import Dataset, EvaluationJob
from identity.permissions import principal_of, tenant_role_required
from kernel.errors import DomainError, InvalidInput, NotFound
from tenants.models import Role, Tenant

NO_SUCH_PAGE = "No such page, or you have no access to it."
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RESULTS_SHOWN = 500  # on the page; the downloads have them all
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _tenant(request: HttpRequest) -> Tenant:
    return request.tenant  # type: ignore[attr-defined]  # set by the tenant middleware


def _base(request: HttpRequest) -> str:
    return f"/t/{_tenant(request).slug}/evaluations/"


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "tenant": _tenant(request),
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "base": _base(request),
        **extra,
    }


def _job(job_id: UUID) -> EvaluationJob:
    try:
        return selectors.find_job(job_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None


def _dataset(dataset_id: UUID) -> Dataset:
    try:
        return selectors.find_dataset(dataset_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None


def _index(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _context(
        request,
        datasets=selectors.datasets(),
        jobs=selectors.recent_jobs(),
        chat_models=selectors.chat_model_names(_tenant(request), principal_of(request).unit_ids),
        max_lines=services.MAX_LINES,
        **extra,
    )
    return render(request, "evaluation/index.html", context, status=status)


@require_GET
@tenant_role_required(Role.ADMIN)
@never_cache
def evaluations_page(request: HttpRequest) -> HttpResponse:
    """Datasets and jobs, with the forms to upload a dataset and start a job."""
    return _index(request)


@require_POST
@tenant_role_required(Role.ADMIN)
def upload_dataset(request: HttpRequest) -> HttpResponse:
    """A JSONL upload: saved whole, or refused with the line and field named."""
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("file: choose a JSONL file to upload.")
        if upload.size and upload.size > MAX_UPLOAD_BYTES:
            raise InvalidInput(f"file: at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        dataset = services.upload_dataset(
            tenant=_tenant(request),
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
            data=upload.read(),
            actor=request.user.get_username(),
        )
    except DomainError as failure:
        return _index(request, status=400, upload_error=failure.message, upload_form=request.POST)
    messages.success(request, f"Saved {dataset.name}.")
    return redirect(f"{_base(request)}datasets/{dataset.pk}/")


@require_POST
@tenant_role_required(Role.ADMIN)
def start_job(request: HttpRequest) -> HttpResponse:
    """Queue a job over a dataset with the chosen models; then its report."""
    try:
        job = services.start_evaluation_job(
            tenant=_tenant(request),
            dataset_id=request.POST.get("dataset"),
            model_names=request.POST.getlist("models"),
            max_tokens=request.POST.get("max_tokens"),
            principal=principal_of(request),
        )
    except DomainError as failure:
        return _index(request, status=400, job_error=failure.message, job_form=request.POST)
    return redirect(f"{_base(request)}jobs/{job.pk}/")


@require_GET
@tenant_role_required(Role.ADMIN)
@never_cache
def dataset_page(request: HttpRequest, dataset_id: UUID) -> HttpResponse:
    dataset = _dataset(dataset_id)
    context = _context(request, dataset=dataset, items=selectors.items_of(dataset))
    return render(request, "evaluation/dataset.html", context)


@require_GET
@tenant_role_required(Role.ADMIN)
@never_cache
def job_page(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The report: per model a summary row and bars; per item every model's answer."""
    job = _job(job_id)
    summaries = selectors.model_summaries(job)
    context = _context(
        request,
        job=job,
        summaries=summaries,
        chart=selectors.chart_data(summaries),
        results=selectors.results_of(job)[:RESULTS_SHOWN],
        shown=RESULTS_SHOWN,
        progress=selectors.progress_of(job),
        running=job.status in (EvaluationJob.Status.QUEUED, EvaluationJob.Status.RUNNING),
    )
    return render(request, "evaluation/report.html", context)


def _cell(value: Any) -> Any:
    # A cell a spreadsheet would run as a formula is written as text.
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(selectors.EXPORT_FIELDS)
    for row in rows:
        yield writer.writerow([_cell(row[name]) for name in selectors.EXPORT_FIELDS])


def _jsonl_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


@require_GET
@tenant_role_required(Role.ADMIN)
def download_results(request: HttpRequest, job_id: UUID, fmt: str) -> StreamingHttpResponse:
    """Every result of the job, as CSV or JSON Lines."""
    job = _job(job_id)
    rows = selectors.export_rows(job)
    if fmt == "csv":
        lines, media_type = _csv_lines(rows), "text/csv; charset=utf-8"
    elif fmt == "jsonl":
        lines, media_type = _jsonl_lines(rows), "application/x-ndjson; charset=utf-8"
    else:
        raise Http404(NO_SUCH_PAGE)
    response = StreamingHttpResponse(lines, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{job.pk}.{fmt}"'
    return response


def _picks(form: Any) -> list[services.FeedbackPick]:
    picks = []
    for raw in form.getlist("feedback"):
        from_api = raw.startswith("api-")
        try:
            feedback_id = int(raw.removeprefix("api-"))
        except ValueError:
            raise InvalidInput("feedback: reload the page and pick again.") from None
        expected = form.get(f"expected-{raw}", "")
        picks.append(services.FeedbackPick(feedback_id, expected, from_api))
    return picks


def _curation_rows(feedback: list[selectors.FeedbackRow], form: Any) -> list[dict[str, Any]]:
    """Each row as the form shows it: as sent (after a refusal), or by default a thumbs up not
    yet curated is ticked with its answer as the expected one; a thumbs down waits for one."""
    ticked = set(form.getlist("feedback")) if form is not None else None
    rows = []
    for row in feedback:
        if ticked is None:
            checked = row.rating > 0 and not row.datasets
            expected = row.answer if row.rating > 0 else ""
        else:
            checked = str(row.id) in ticked
            expected = form.get(f"expected-{row.id}", "")
        rows.append({"feedback": row, "checked": checked, "expected": expected})
    return rows


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.ADMIN)
@never_cache
def curate_feedback_page(request: HttpRequest) -> HttpResponse:
    """Thumbs and comments on playground answers; ticked ones (with the expected answer as
    edited here) are added to a curated dataset."""
    error = None
    if request.method == "POST":
        try:
            dataset, added = services.add_feedback_items(
                tenant=_tenant(request),
                dataset_name=request.POST.get("dataset_name", ""),
                picks=_picks(request.POST),
                actor=request.user.get_username(),
            )
            messages.success(request, f"Added {added} item(s) to {dataset.name}.")
            return redirect(f"{_base(request)}datasets/{dataset.pk}/")
        except DomainError as failure:
            error = failure.message
    context = _context(
        request,
        rows=_curation_rows(selectors.feedback_to_curate(), request.POST if error else None),
        dataset_names=selectors.feedback_dataset_names(),
        error=error,
        form=request.POST if error else None,
    )
    return render(request, "evaluation/curate.html", context, status=400 if error else 200)
