"""Where a tenant's knowledge bases live, and the one place where reads are scoped to a tenant.

Siloed knowledge bases are in the tenant's own schema; pooled ones in the public schema, where a
tenant reaches the ones it owns and those shared with it (read-only). Every lookup of a knowledge
base by a tenant goes through `find_knowledge_base` / `knowledge_bases_of`; everything below a
knowledge base (documents, chunks) is then read inside `opened(kb)` and filtered by that knowledge
base, so no query can wander into another tenant's items. Each switch into the pooled store here
also says whose rows it reads (`pooled_rows_of`), which the models' `PooledRows` manager filters by.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kernel.errors import NotAllowed, NotFound
from knowledge.models import KnowledgeBase, pooled_rows_of
from tenants.models import Tenant
from tenants.schemas import in_public_schema, in_tenant_schema, public_schema_name

NOT_FOUND = "No knowledge base {id} here: check the id (GET /knowledge-bases lists yours)."


@dataclass(frozen=True)
class Located:
    """A knowledge base as one tenant sees it."""

    kb: KnowledgeBase
    tenant: Tenant
    schema_name: str  # where its documents and chunks live
    writable: bool  # False: a pooled knowledge base shared with this tenant

    @property
    def pooled(self) -> bool:
        return self.kb.isolation == KnowledgeBase.Isolation.POOLED

    def require_writable(self) -> None:
        if not self.writable:
            raise NotAllowed(
                f"{self.kb.name} is shared with {self.tenant.name} read-only: only its owner "
                "may change it."
            )


@contextmanager
def opened(located: Located) -> Iterator[None]:
    """Make the knowledge base's schema the active one for the queries inside. Its documents
    and chunks are its owner's rows: for a pooled one shared with this tenant (which
    `find_knowledge_base` checked), reading the owner's rows is the named way across tenants."""
    with in_tenant_schema(located), pooled_rows_of(located.kb.tenant_id):
        yield


@contextmanager
def pooled_store_of(tenant: Tenant) -> Iterator[None]:
    """Make the pooled store (the public schema) the active one, with `tenant`'s rows only."""
    with in_public_schema(), pooled_rows_of(tenant.pk):
        yield


@contextmanager
def store_of(tenant: Tenant, isolation: str) -> Iterator[str]:
    """Make the store a new knowledge base of `tenant` goes to the active one: its own schema
    (siloed) or its rows of the pooled store; yields that schema's name."""
    if isolation == KnowledgeBase.Isolation.SILOED:
        with in_tenant_schema(tenant):
            yield tenant.schema_name
    else:
        with pooled_store_of(tenant):
            yield public_schema_name()


def knowledge_bases_of(tenant: Tenant) -> list[Located]:
    """The tenant's siloed knowledge bases, then the pooled ones it owns or that are shared
    with it."""
    with in_tenant_schema(tenant):
        siloed = list(KnowledgeBase.objects.filter(isolation=KnowledgeBase.Isolation.SILOED))
    public = public_schema_name()
    with pooled_store_of(tenant):
        pooled = list(
            KnowledgeBase.objects.owned_or_shared()
            .filter(isolation=KnowledgeBase.Isolation.POOLED)
            .distinct()
        )
    return [Located(kb, tenant, tenant.schema_name, True) for kb in siloed] + [
        Located(kb, tenant, public, kb.tenant_id == tenant.pk) for kb in pooled
    ]


def find_knowledge_base(tenant: Tenant, kb_id: str | uuid.UUID) -> Located:
    """The knowledge base `kb_id` if this tenant may read it; NotFound otherwise, the same
    whether it does not exist or belongs to someone else."""
    try:
        key = uuid.UUID(str(kb_id))
    except ValueError:
        raise NotFound(NOT_FOUND.format(id=kb_id)) from None
    with in_tenant_schema(tenant):
        own = KnowledgeBase.objects.filter(pk=key, isolation="siloed").first()
    if own is not None:
        return Located(own, tenant, tenant.schema_name, True)
    public = public_schema_name()
    with pooled_store_of(tenant):
        pooled = KnowledgeBase.objects.owned_or_shared().filter(pk=key, isolation="pooled").first()
    if pooled is None:
        raise NotFound(NOT_FOUND.format(id=kb_id))
    return Located(pooled, tenant, public, pooled.tenant_id == tenant.pk)
