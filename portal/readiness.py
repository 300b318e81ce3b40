"""Readiness checks: is this process able to serve? Database, broker, and migrations everywhere."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return _failed("database", "database unreachable", error)
    return Check("database", True, "reachable")


def _failed(name: str, what: str, error: DatabaseError) -> Check:
    """The probe is public: it says what failed and the error's kind; the driver's message
    (host, socket path, the database user) goes to the log only."""
    logger.warning("readiness: %s: %s", what, error)
    return Check(name, False, f"{what} ({type(error).__name__}); the portal's log says why")


def check_broker() -> Check:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return Check("broker", False, f"broker unreachable at {_redacted_broker()}: {error}")
    finally:
        client.close()
    return Check("broker", True, "reachable")


def _redacted_broker() -> str:
    url = redis.connection.parse_url(settings.CELERY_BROKER_URL)
    return f"{url.get('host', 'unix socket')}:{url.get('port', '')}"


@functools.cache
def _expected_migrations() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """(shared, tenant) migrations on disk; read once per process."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    nodes = set(loader.graph.nodes)
    shared_labels = {app.rsplit(".", 1)[-1] for app in settings.SHARED_APPS}
    tenant_labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    shared = frozenset(node for node in nodes if node[0] in shared_labels)
    tenant = frozenset(node for node in nodes if node[0] in tenant_labels)
    return shared, tenant


def check_migrations() -> Check:
    shared_expected, tenant_expected = _expected_migrations()
    try:
        schemas = _tenant_schemas()
        applied = _applied_migrations(["public", *schemas])
    except DatabaseError as error:
        return _failed("migrations", "cannot read the migration state", error)
    problems: list[str] = []
    behind, pending_in_tenants = 0, set[tuple[str, str]]()
    for schema in ["public", *schemas]:
        expected = shared_expected if schema == "public" else tenant_expected
        pending = expected - applied.get(schema, set())
        if not pending:
            continue
        logger.warning("schema %s: %d unapplied migrations (%s)", schema, len(pending),
                       _sample(pending))  # fmt: skip
        if schema == "public":
            problems.append(f"public: {len(pending)} unapplied ({_sample(pending)})")
        else:
            behind, pending_in_tenants = behind + 1, pending_in_tenants | pending
    if behind:  # the probe is public: tenants are counted, never named (the log names them)
        problems.append(f"{behind} tenant schema(s) behind ({_sample(pending_in_tenants)})")
    if problems:
        return Check("migrations", False, "; ".join(problems))
    return Check("migrations", True, "public and every tenant schema up to date")


def _sample(pending: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> str:
    return ", ".join(f"{app}.{name}" for app, name in sorted(pending)[:3])


def _tenant_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schema_name FROM public.tenants_tenant WHERE schema_name <> 'public' "
            "ORDER BY schema_name"
        )
        return [row[0] for row in cursor.fetchall()]


def _applied_migrations(schemas: list[str]) -> dict[str, set[tuple[str, str]]]:
    """One query over every schema's django_migrations table (a missing table counts as none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        applied: dict[str, set[tuple[str, str]]] = {schema: set() for schema in schemas}
        if not present:
            return applied
        query = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {schema_name}, app, name FROM {table}").format(
                schema_name=sql.Literal(schema),
                table=sql.Identifier(schema, "django_migrations"),
            )
            for schema in present
        )
        cursor.execute(query.as_string(cursor.connection))
        for schema, app, name in cursor.fetchall():
            applied[schema].add((app, name))
    return applied


def readiness() -> list[Check]:
    database = check_database()
    checks = [database, check_broker()]
    if database.ok:
        checks.append(check_migrations())
    return checks
