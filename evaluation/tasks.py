"""Evaluation jobs as tenant-aware Celery tasks: each runs in the schema of the tenant that
started it (`services.start_evaluation_job` queues it there; TenantTask refuses public). A
delivery that finds another at work on its job (a redelivery while the first still runs) comes
back when that one's lease would lapse, to finish the job should the first have died."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from evaluation.runner import JobBusy, run_job
from kernel.tenant_tasks import TenantTask

logger = logging.getLogger("atrium.evaluation")


@shared_task(name="evaluation.run_job", base=TenantTask, acks_late=True, reject_on_worker_lost=True)
def run_evaluation_job_task(job_id: str) -> None:
    try:
        run_job(connection.tenant, job_id)
    except JobBusy as busy:
        logger.info("evaluation job %s: %s", job_id, busy)
        run_evaluation_job_task.apply_async((job_id,), countdown=busy.seconds)
