"""Usage recording and the other short periodic work have a queue and a worker of their own: a
long ingestion never keeps them waiting."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from metering.tasks import record_queued_usage_task
from portal.celery import app as celery_app
from portal.management.commands.up import worker_commands

ROOT = Path(__file__).resolve().parents[2]
SHORT = [
    "metering.record_queued_usage",
    "metering.roll_up_usage",
    "budgets.reconcile_budgets",
    "guardrails.purge_invocations",
    "guardrails.purge_tenant_invocations",
    "response_store.purge_responses",
    "response_store.purge_tenant_responses",
]
LONG = ["knowledge.ingest_document", "evaluation.run_job"]


@pytest.mark.parametrize("task", SHORT + LONG)
def test_short_periodic_work_is_routed_apart_from_ingestion(task: str) -> None:
    queue = celery_app.amqp.router.route({}, task)["queue"].name
    assert queue == ("short" if task in SHORT else "celery")


def test_usage_is_recorded_while_ingestion_holds_the_default_queue(
    transactional_db: None, redis_url: str, tmp_path: Path
) -> None:
    for number in range(20):  # ingestion waiting: its worker is busy with a long document
        celery_app.send_task("knowledge.ingest_document", args=[number])
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@{quote(database['HOST'], safe='')}/"
        f"{database['NAME']}",
        "REDIS_URL": redis_url,
        "ATRIUM_DB_POOL": "false",
        "ATRIUM_DATA_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        worker_commands(port=0)["worker-short"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        record_queued_usage_task.delay().get(timeout=120)
        with celery_app.connection_for_write() as broker:
            waiting = broker.default_channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
        assert waiting == 20  # the short queue's worker left ingestion alone
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
