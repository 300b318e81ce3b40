"""Reading usage without naming a tenant fails closed: only a read that asks for every tenant
by name (the platform's) crosses tenants."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from kernel.scoping import NoTenantInContext
from metering.selectors import DateRange, UsageFilter, usage_events

pytestmark = pytest.mark.django_db

TODAY = DateRange(date.today(), date.today())  # noqa: DTZ011


def test_a_read_that_forgets_the_tenant_fails_closed() -> None:
    connection.set_schema_to_public()
    with pytest.raises(NoTenantInContext):
        usage_events(TODAY, UsageFilter())
