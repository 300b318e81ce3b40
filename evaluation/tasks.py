"""Evaluation jobs as tenant-aware Celery tasks: each runs in the schema of the tenant that
started it (`services.start_evaluation_job` queues it there; TenantTask refuses public)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from evaluation.runner import run_job
from kernel.tenant_tasks import TenantTask


@shared_task(name="evaluation.run_job", base=TenantTask, acks_late=True, reject_on_worker_lost=True)
def run_evaluation_job_task(job_id: str) -> None:
    run_job(connection.tenant, job_id)
