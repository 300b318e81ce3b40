"""/healthz answers while the process lives; /readyz tells whether it can serve, and why not."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from portal.embedded import free_loopback_port

pytestmark = pytest.mark.django_db


def test_healthz_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_with_database_broker_and_migrations(make_tenant) -> None:
    make_tenant("acme")
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_when_the_broker_is_down(settings) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_loopback_port()}/0"
    response = Client().get("/readyz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert "broker unreachable" in broker["detail"]


def test_readyz_is_503_when_a_tenant_schema_misses_a_migration(make_tenant) -> None:
    tenant = make_tenant("laggard")
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{tenant.schema_name}".django_migrations '  # noqa: S608 - our own slug
            "WHERE app = 'activity' AND name = '0001_initial'"
        )
    response = Client().get("/readyz")
    assert response.status_code == 503
    detail = response.json()["checks"]["migrations"]["detail"]
    assert "1 tenant schema(s) behind" in detail and "activity.0001_initial" in detail
    assert tenant.schema_name not in detail  # anyone may probe: tenants are not named


def test_probes_are_not_redirected_to_https(settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/").status_code == 301
