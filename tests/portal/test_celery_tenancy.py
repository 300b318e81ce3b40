"""A task runs in the schema of the tenant that queued it, on a real worker over real Redis."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from activity.models import ActivityEntry
from activity.tasks import record_activity_task
from kernel.tenant_tasks import OutsideTenant, TenantTask
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


def test_task_queued_in_a_tenant_runs_in_that_tenants_schema(make_tenant, celery_worker) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")

    with schema_context(acme.schema_name):
        result = record_activity_task.delay("budget.alert", "80 % of the monthly budget used")
    entry_id = result.get(timeout=30)

    with schema_context(acme.schema_name):
        entry = ActivityEntry.objects.get(pk=entry_id)
        assert entry.message == "80 % of the monthly budget used"
    with schema_context(globex.schema_name):
        assert not ActivityEntry.objects.filter(kind="budget.alert").exists()


def test_task_queued_without_a_tenant_refuses_to_write(celery_worker) -> None:
    result = record_activity_task.delay("note", "from nowhere")
    with pytest.raises(OutsideTenant, match="queued outside a tenant's schema"):
        result.get(timeout=30)


def test_every_tenant_task_refuses_to_run_in_public(celery_worker) -> None:
    """Each task that works on one tenant's data, found in the app's registry, is refused in
    public before it reads its arguments: a task queued from beat or a shell cannot write into
    the platform's schema."""
    celery_app.loader.import_default_modules()
    names = sorted(name for name, task in celery_app.tasks.items() if isinstance(task, TenantTask))
    assert {"activity.record", "guardrails.store_invocation",
            "guardrails.purge_tenant_invocations", "evaluation.run_job"} <= set(names)  # fmt: skip
    for name in names:
        result = celery_app.send_task(name)
        with pytest.raises(OutsideTenant):
            result.get(timeout=30)
