"""Evaluation jobs as tenant-aware Celery tasks: each runs in the schema of the tenant that
started it (`services.start_evaluation_job` queues it there)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from evaluation.runner import run_job
from tenants.schemas import public_schema_name


@shared_task(name="evaluation.run_job", acks_late=True, reject_on_worker_lost=True)
def run_evaluation_job_task(job_id: str) -> None:
    tenant = getattr(connection, "tenant", None)
    # Sent without the schema header, a task runs in public: refuse rather than run nowhere.
    if tenant is None or tenant.schema_name == public_schema_name():
        raise RuntimeError(f"evaluation job {job_id} was queued outside a tenant's schema")
    run_job(tenant, job_id)
