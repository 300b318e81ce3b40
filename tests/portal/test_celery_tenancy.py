"""A task runs in the schema of the tenant that queued it, on a real worker over real Redis."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from activity.models import ActivityEntry
from activity.tasks import record_activity_task

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
    with pytest.raises(Exception, match="needs a tenant schema"):
        result.get(timeout=30)
