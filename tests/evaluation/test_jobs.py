"""An evaluation job end to end: started on the page, run by a real Celery worker with the
local model through the gateway (guardrails and metering included), results kept and scored,
the report computed, the downloads complete; another tenant's administrator reaches none of it."""

from __future__ import annotations

import csv
import io
import json
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from evaluation.models import Dataset, EvaluationJob, EvaluationResult
from evaluation.selectors import model_summaries
from guardrails.services import set_tenant_policy
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.gateway.recorded import events_of

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "local/gemma-3-270m"
CARD = "4111 1111 1111 1111"
DATASET = b"\n".join(
    [
        json.dumps({"prompt": "What is the capital of France?", "expected": "Paris"}).encode(),
        json.dumps(
            {"prompt": "What colour is the sky on a clear day?", "expected": "Blue"}
        ).encode(),
        json.dumps({"prompt": f"Is {CARD} a valid card?", "expected": "Yes"}).encode(),
    ]
)


def signed_in(make_user, tenant: Tenant, name: str, role: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(name, roles={tenant: role}))
    return client


def finished(tenant: Tenant, job_id: str, timeout: float = 240) -> EvaluationJob:
    deadline = time.monotonic() + timeout
    while True:
        with tenant_context(tenant):
            job = EvaluationJob.objects.get(pk=job_id)
        if job.status in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job.status
        time.sleep(0.5)


def test_a_job_runs_on_a_worker_and_is_reported(make_tenant, make_user, celery_worker) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    set_tenant_policy(tenant=acme, raw={"pii": {"card": "block"}}, actor="ada")
    admin = signed_in(make_user, acme, "ada", "admin")
    base = f"/t/{acme.slug}/evaluations/"
    admin.post(f"{base}datasets/", {"name": "Quiz", "file": SimpleUploadedFile("q.jsonl", DATASET)})
    with tenant_context(acme):
        dataset = Dataset.objects.get(name="Quiz")
    assert CHAT in admin.get(base).content.decode()

    too_long = admin.post(
        f"{base}jobs/", {"dataset": str(dataset.pk), "models": [CHAT], "max_tokens": "100000"}
    )
    assert too_long.status_code == 400 and "max_tokens: from 1 to 4096" in too_long.content.decode()
    not_granted = admin.post(
        f"{base}jobs/",
        {"dataset": str(dataset.pk), "models": ["nobody/such-model"], "max_tokens": "8"},
    )
    assert not_granted.status_code == 400 and "does not exist" in not_granted.content.decode()

    started = admin.post(
        f"{base}jobs/", {"dataset": str(dataset.pk), "models": [CHAT], "max_tokens": "8"}
    )
    assert started.status_code == 302
    job_id = started["Location"].rstrip("/").rsplit("/", 1)[-1]
    job = finished(acme, job_id)
    assert job.status == "done", job.failure
    assert job.created_by == "ada" and job.finished_at is not None

    with tenant_context(acme):
        results = {r.item.line: r for r in EvaluationResult.objects.select_related("item")}
        (summary,) = model_summaries(job)
    assert sorted(results) == [1, 2, 3]
    blocked = results[3]
    assert blocked.guardrail_blocked and "payment card" in blocked.error and not blocked.answer
    for line in (1, 2):
        answered = results[line]
        assert answered.error == "" and not answered.guardrail_blocked, answered.error
        assert answered.latency_ms > 0 and answered.cost == Decimal(0)
        assert answered.currency == "USD" and 0.0 <= answered.similarity <= 1.0
    # Each call was metered as an ordinary gateway call, charged to the person who started it.
    events = events_of(acme.slug, 2)
    assert [(e.model_name, e.principal_name, e.status) for e in events] == [(CHAT, "ada", "ok")] * 2

    answered = [results[1], results[2]]
    assert summary.model == CHAT and summary.results == 3 and summary.errors == 0
    assert summary.guardrail_hit_rate == pytest.approx(1 / 3)
    assert summary.exact_match_rate == pytest.approx(sum(r.exact_match for r in answered) / 3)
    assert summary.mean_token_f1 == pytest.approx(sum(r.token_f1 for r in answered) / 3)
    assert summary.mean_similarity == pytest.approx(sum(r.similarity for r in answered) / 3)
    assert summary.p50_latency_ms == pytest.approx(sum(r.latency_ms for r in answered) / 2)
    assert summary.total_cost == Decimal(0) and summary.currency == "USD"

    report = admin.get(f"{base}jobs/{job_id}/")
    shown = report.content.decode()
    assert report.status_code == 200 and "Done" in shown
    assert shown.count('data-testid="summary-row"') == 1
    assert shown.count('data-testid="result-row"') == 3
    assert 'id="evaluation-data"' in shown and "chart-4.5.1.umd.min.js" in shown
    assert "33 %" in shown  # the guardrail hit rate

    as_csv = admin.get(f"{base}jobs/{job_id}/results.csv")
    assert as_csv["Content-Disposition"] == f'attachment; filename="evaluation-{job_id}.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    assert [(r["model"], r["line"]) for r in rows] == [(CHAT, "1"), (CHAT, "2"), (CHAT, "3")]
    assert rows[0]["answer"] == results[1].answer and rows[2]["guardrail_blocked"] == "True"
    as_jsonl = admin.get(f"{base}jobs/{job_id}/results.jsonl")
    lines = [json.loads(x) for x in b"".join(as_jsonl.streaming_content).decode().splitlines()]
    assert len(lines) == 3 and lines[0]["expected"] == "Paris" and lines[0]["cost"] == "0.000000000"
    assert admin.get(f"{base}jobs/{job_id}/results.xlsx").status_code == 404


def test_another_tenants_admin_reaches_nothing(make_tenant, make_user) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    grant_model(model_name=CHAT, tenants=[acme, globex], actor="test")
    ada = signed_in(make_user, acme, "ada", "admin")
    ada.post(
        f"/t/{acme.slug}/evaluations/datasets/",
        {
            "name": "Quiz",
            "file": SimpleUploadedFile("q.jsonl", DATASET),
        },
    )
    with tenant_context(acme):
        dataset = Dataset.objects.get()
        job = EvaluationJob.objects.create(
            dataset=dataset,
            model_names=[CHAT],
            max_tokens=8,
            created_by="ada",
            created_by_id=1,
            status="done",
        )
    own = f"/t/{acme.slug}/evaluations/"
    paths = [
        f"datasets/{dataset.pk}/",
        f"jobs/{job.pk}/",
        f"jobs/{job.pk}/results.csv",
        f"jobs/{job.pk}/results.jsonl",
    ]
    assert all(ada.get(own + path).status_code == 200 for path in paths)

    gus = signed_in(make_user, globex, "gus", "admin")
    for path in paths:
        assert gus.get(f"/t/{globex.slug}/evaluations/{path}").status_code == 404, path
        assert gus.get(own + path).status_code == 404, path
    assert gus.get(own).status_code == 404
    # Nor can one start a job on another tenant's dataset from one's own tenant.
    started = gus.post(
        f"/t/{globex.slug}/evaluations/jobs/",
        {
            "dataset": str(dataset.pk),
            "models": [CHAT],
            "max_tokens": "8",
        },
    )
    assert started.status_code == 400 and "No dataset" in started.content.decode()
    with tenant_context(globex):
        assert not EvaluationJob.objects.exists()
