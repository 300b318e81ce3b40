"""How an evaluation job runs: as the person who started it (their business units as they are
when it runs), each item asked once even when a worker dies mid-job and the job is delivered
again, one delivery at a time, and the cost it reports is the cost billed."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from evaluation.models import Dataset, EvaluationJob, EvaluationResult
from evaluation.runner import JobBusy, run_job
from identity.business_units import assign_business_units
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model, grant_to_scope
from models_catalog.services.catalog import set_price
from tenants.models import Membership, Tenant
from tenants.services import add_business_unit
from tests.celery_workers import start_worker, wait_for
from tests.evaluation.test_jobs import finished
from tests.gateway.recorded import events_of
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db(transaction=True)

PROMPTS = ["Q0?", "Q1?", "Q2?"]
DATASET = b"\n".join(json.dumps({"prompt": p, "expected": "Paris"}).encode() for p in PROMPTS)


@pytest.fixture
def upstreams():  # type: ignore[no-untyped-def]
    """Catalogue models served by OpenAI-compatible servers on loopback, by name."""
    served: dict[str, Upstream] = {}

    def serve(name: str, fallbacks: tuple[str, ...] = (), price: str = "0") -> Upstream:
        upstream = Upstream()
        upstream.pieces = ["Paris"]
        provider = Provider.objects.create(
            name=f"{name}-host", kind="openai_compatible", endpoint_url=upstream.url
        )
        model = FoundationModel.objects.create(
            name=name, provider=provider, provider_model_id="llama", display_name=name,
            modality="chat", fallbacks=list(fallbacks),
        )  # fmt: skip
        set_price(model=model, input_per_million=price, output_per_million=price,
                  currency="USD", effective_from=timezone.now() - timedelta(days=1),
                  actor="test")  # fmt: skip
        served[name] = upstream
        return upstream

    yield serve
    for upstream in served.values():
        upstream.server.shutdown()


class HeldFrom(threading.Event):
    """An upstream's `hold` that holds its `count`th request and every one after it (a call in
    flight), until set."""

    def __init__(self, upstream: Upstream, count: int) -> None:
        super().__init__()
        self.upstream, self.count = upstream, count

    def wait(self, timeout: float | None = None) -> bool:
        return len(self.upstream.requests) < self.count or super().wait(timeout)


def asked(upstream: Upstream) -> Counter[str]:
    return Counter(r["body"]["messages"][-1]["content"] for r in upstream.requests)


def start_job(client: Client, tenant: Tenant, model: str) -> str:
    """Upload the dataset and start a job on `model` from the page, as a person would."""
    base = f"/t/{tenant.slug}/evaluations/"
    upload = SimpleUploadedFile("q.jsonl", DATASET)
    client.post(f"{base}datasets/", {"name": "Quiz", "file": upload})
    with tenant_context(tenant):
        dataset = Dataset.objects.get(name="Quiz")
    assert model in client.get(base).content.decode()  # offered
    started = client.post(
        f"{base}jobs/", {"dataset": str(dataset.pk), "models": [model], "max_tokens": "8"}
    )
    assert started.status_code == 302, started.content.decode()[:2000]  # accepted
    return started["Location"].rstrip("/").rsplit("/", 1)[-1]


def signed_in(make_user, tenant: Tenant) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("ada", roles={tenant: "admin"}))
    return client


def results_of(tenant: Tenant, job_id: str) -> list[EvaluationResult]:
    with tenant_context(tenant):
        return list(EvaluationResult.objects.filter(job_id=job_id).select_related("item"))


def test_a_model_granted_through_an_extra_unit_answers(
    make_tenant, make_user, upstreams, celery_worker
) -> None:
    upstream = upstreams("llama-wealth")
    acme = make_tenant("acme")
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="t")
    grant_to_scope(model_id=FoundationModel.objects.get(name="llama-wealth").pk,
                   tenant_id=acme.pk, business_unit_id=wealth.pk, actor="t")  # fmt: skip
    client = signed_in(make_user, acme)
    membership = Membership.objects.get(tenant=acme, user__username="ada")
    assign_business_units(assignee=membership, business_unit_id=None,
                          extra_business_unit_ids=[wealth.pk], actor="t")  # fmt: skip

    job = finished(acme, start_job(client, acme, "llama-wealth"))

    assert job.status == "done", job.failure
    results = results_of(acme, str(job.pk))
    assert [(r.error, r.answer, r.exact_match) for r in results] == [("", "Paris", True)] * 3
    assert asked(upstream) == Counter(PROMPTS)


def test_a_killed_worker_is_resumed_without_asking_again(make_tenant, make_user, upstreams) -> None:
    upstream = upstreams("llama-solo")
    upstream.hold = held = HeldFrom(upstream, 3)  # the third call is in flight when it dies
    acme = make_tenant("acme")
    grant_model(model_name="llama-solo", tenants=[acme], actor="test")
    client = signed_in(make_user, acme)
    doomed = start_worker("doomed")
    try:
        job_id = start_job(client, acme, "llama-solo")
        wait_for(lambda: len(upstream.requests) == 3, timeout=120)
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)  # no chance to clean up
        doomed.wait(10)
    # The two answers it had were kept as they came.
    assert sorted(r.item.prompt for r in results_of(acme, job_id)) == PROMPTS[:2]

    with tenant_context(acme):
        # Redelivered while the dead run's lease holds: it waits, asking nothing.
        with pytest.raises(JobBusy):
            run_job(acme, job_id)
        assert len(upstream.requests) == 3
        # Once the lease lapses (LEASE_SECONDS after the run last renewed it), it goes on.
        EvaluationJob.objects.filter(pk=job_id).update(leased_until=timezone.now())
        held.set()
        run_job(acme, job_id)
        job = EvaluationJob.objects.get(pk=job_id)

    assert job.status == "done", job.failure
    assert len(results_of(acme, job_id)) == 3
    # Only the call that was in flight when the worker died was asked again.
    assert asked(upstream) == Counter({"Q0?": 1, "Q1?": 1, "Q2?": 2})
    billed = [e for e in events_of(acme.slug, 3) if e.status == "ok"]
    assert len(billed) == 3


def test_the_cost_reported_is_the_cost_billed(
    make_tenant, make_user, upstreams, celery_worker, settings
) -> None:
    settings.GATEWAY_BACKOFF_SECONDS = 0.01
    primary = upstreams("llama-east", fallbacks=("llama-west",), price="1")
    secondary = upstreams("llama-west", price="5000")
    primary.status = 503  # down for good: the fallback answers, at its own price
    acme = make_tenant("acme")
    grant_model(model_name="llama-east", tenants=[acme], actor="test")
    client = signed_in(make_user, acme)

    job = finished(acme, start_job(client, acme, "llama-east"))

    assert job.status == "done", job.failure
    assert asked(secondary) == Counter(PROMPTS)
    events = events_of(acme.slug, 3)
    assert [(e.model_name, e.status) for e in events] == [("llama-west", "ok")] * 3
    results = results_of(acme, str(job.pk))
    assert [r.cost for r in results] == [e.cost for e in events]
    assert all(r.currency == "USD" and r.cost and r.cost > Decimal(0) for r in results)
