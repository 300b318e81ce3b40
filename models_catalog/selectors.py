"""Reads of the catalogue: what a tenant may use now, prices in force, name resolution, and
what the catalogue's and the registry's pages show."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from identity.roles import units_in_tenant
from kernel.errors import Gone, NotAllowed, NotFound
from models_catalog.models import (
    AccessRequest,
    AliasChange,
    CustomModel,
    FoundationModel,
    Lifecycle,
    ModelAlias,
    ModelGrant,
    ModelPrice,
    ModelVersion,
    Provider,
    scope_label,
)
from tenants.models import BusinessUnit, Tenant
from tenants.selectors import customer_tenants

CUSTOM_NAME = re.compile(r"^custom/(?P<name>[a-z0-9_-]+)(?:@(?P<ref>[a-z0-9-]+))?$")
# A grant to an archived business unit is in force for nobody (restoring the unit restores it):
# its people may keep the unit among their extra ones, but nobody works for it any more.
LIVE_SCOPE = Q(business_unit__isnull=True) | Q(business_unit__archived_at__isnull=True)


def active_grants(
    tenant: Tenant,
    at: datetime,
    business_unit: BusinessUnit | None = None,
    *,
    unit_ids: Collection[int] = (),
) -> QuerySet[ModelGrant]:
    """Grants in force for the tenant: tenant-wide, and for this business unit and the units
    named by `unit_ids` (a person's default unit and their extra ones)."""
    units = {*unit_ids, *([business_unit.pk] if business_unit is not None else [])}
    scope = Q(business_unit__isnull=True)
    if units:
        scope |= Q(business_unit_id__in=units)
    return ModelGrant.objects.filter(
        scope,
        LIVE_SCOPE,
        Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        tenant=tenant,
        revoked_at__isnull=True,
    )


def usable_models(
    tenant: Tenant,
    at: datetime,
    business_unit: BusinessUnit | None = None,
    *,
    unit_ids: Collection[int] = (),
) -> QuerySet[FoundationModel]:
    """Models the tenant (and people of `business_unit` / `unit_ids`) may call at `at`: granted
    tenant-wide or to one of those units, and not past end of life."""
    granted = active_grants(tenant, at, business_unit, unit_ids=unit_ids).values("model_id")
    return (
        FoundationModel.objects.filter(pk__in=granted)
        .filter(Q(end_of_life_at__isnull=True) | Q(end_of_life_at__gt=at))
        .select_related("provider")
    )


def requestable_models(tenant: Tenant, at: datetime) -> QuerySet[FoundationModel]:
    """Catalogue models not retired and not yet granted to the whole tenant."""
    granted = active_grants(tenant, at).filter(business_unit__isnull=True).values("model_id")
    return (
        FoundationModel.objects.exclude(pk__in=granted)
        .filter(Q(end_of_life_at__isnull=True) | Q(end_of_life_at__gt=at))
        .select_related("provider")
    )


def price_at(model: FoundationModel, at: datetime) -> ModelPrice | None:
    """The price in force at `at` (the latest that took effect at or before it)."""
    return price_in_force(prices_of(model), at)


def price_in_force(prices: list[ModelPrice], at: datetime) -> ModelPrice | None:
    """From a model's prices, newest first, the one in force at `at`."""
    return next((price for price in prices if price.effective_from <= at), None)


def requests_of_tenant(tenant: Tenant) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(tenant=tenant).select_related("model", "business_unit")


def pending_requests() -> QuerySet[AccessRequest]:
    """The platform administrators' queue, oldest first."""
    return (
        AccessRequest.objects.filter(state=AccessRequest.State.PENDING)
        .select_related("tenant", "model", "business_unit", "requested_by")
        .order_by("requested_at")
    )


@dataclass(frozen=True)
class ResolvedModel:
    entry: FoundationModel
    lifecycle: Lifecycle
    version: ModelVersion | None  # for custom models: the version that serves the call
    grant: ModelGrant  # the grant in force (a business unit's before the tenant's)


@dataclass(frozen=True)
class ModelSnapshot:
    """Everything about a name for one tenant that does not depend on the clock."""

    entry: FoundationModel
    version: ModelVersion | None
    grants: tuple[ModelGrant, ...]  # not revoked; expiry is judged at call time


def model_snapshot(tenant: Tenant, name: str) -> ModelSnapshot:
    """The catalogue entry for `name`, the version it points at and the tenant's grants of it."""
    custom = CUSTOM_NAME.match(name)
    entry_name = f"custom/{custom['name']}" if custom else name
    entry = FoundationModel.objects.select_related("provider").filter(name=entry_name).first()
    if entry is None:
        raise NotFound(f"The model {name!r} does not exist. GET /models lists yours.")
    version = _custom_version(entry, custom["ref"]) if custom else None
    grants = tuple(
        ModelGrant.objects.filter(LIVE_SCOPE, tenant=tenant, model=entry, revoked_at__isnull=True)
    )
    return ModelSnapshot(entry=entry, version=version, grants=grants)


def decide(
    snapshot: ModelSnapshot,
    at: datetime,
    business_unit: BusinessUnit | None = None,
    *,
    unit_ids: Collection[int] = (),
) -> ResolvedModel:
    """Whether the tenant (or a caller of `business_unit` / `unit_ids`) may use the model at
    `at`: not retired, and a grant in force, tenant-wide or for one of those units."""
    entry = snapshot.entry
    lifecycle = entry.lifecycle(at)
    if lifecycle == Lifecycle.RETIRED:
        raise Gone(
            f"The model {entry.name!r} was retired on {entry.end_of_life_at:%Y-%m-%d %H:%M} UTC."
        )
    scopes = {None, *unit_ids, *([business_unit.pk] if business_unit is not None else [])}
    in_force = [
        grant
        for grant in snapshot.grants
        if (grant.expires_at is None or grant.expires_at > at) and grant.business_unit_id in scopes
    ]
    if not in_force:
        raise NotAllowed(
            f"Your tenant may not use {entry.name!r}. A tenant administrator can request it."
        )
    grant = max(in_force, key=lambda g: g.business_unit_id is not None)
    return ResolvedModel(entry=entry, lifecycle=lifecycle, version=snapshot.version, grant=grant)


def resolve_model(
    tenant: Tenant, name: str, at: datetime, business_unit: BusinessUnit | None = None
) -> ResolvedModel:
    """What `name` means for this tenant now, or the reason it cannot be used.

    `custom/<name>` is the production version of a custom model; `custom/<name>@3` version 3;
    `custom/<name>@staging` whatever the alias points at. Access is always the tenant's grant.
    """
    return decide(model_snapshot(tenant, name), at, business_unit)


def prices_of(model: FoundationModel) -> list[ModelPrice]:
    """Every price of the model, newest first."""
    return list(model.prices.order_by("-effective_from"))


def _custom_version(entry: FoundationModel, ref: str | None) -> ModelVersion:
    custom_model = CustomModel.objects.get(entry=entry)
    if ref is not None and ref.isdigit():
        version = custom_model.versions.filter(number=int(ref)).first()
        if version is None:
            raise NotFound(f"{entry.name} has no version {ref}.")
        return version
    alias_name = ref or "production"
    alias = (
        ModelAlias.objects.select_related("version")
        .filter(custom_model=custom_model, name=alias_name)
        .first()
    )
    if alias is None:
        raise NotFound(f"{entry.name} has no version deployed as {alias_name!r}.")
    return alias.version


def catalogue_models() -> QuerySet[FoundationModel]:
    """Every model of the catalogue with its provider and prices, for the platform's page."""
    return FoundationModel.objects.select_related("provider").prefetch_related("prices")


def usable_models_with_prices(
    tenant: Tenant, at: datetime, *, unit_ids: Collection[int] = ()
) -> QuerySet[FoundationModel]:
    """The models the tenant may use at `at` (tenant-wide grants and those of `unit_ids`), with
    their prices."""
    return usable_models(tenant, at, unit_ids=unit_ids).prefetch_related("prices")


def units_of_person(user_id: int, tenant: Tenant) -> frozenset[int]:
    """The business units a person works for in `tenant` (default and extra): their models are
    the tenant's and these units'."""
    default, extra = units_in_tenant(user_id, tenant)
    return extra | ({default} if default is not None else set())


def unit_grants_of_tenant(tenant: Tenant, at: datetime) -> QuerySet[ModelGrant]:
    """The tenant's grants in force for one business unit (not the whole tenant)."""
    return (
        ModelGrant.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at),
            tenant=tenant,
            business_unit__isnull=False,
            revoked_at__isnull=True,
        )
        .select_related("model__provider", "business_unit", "tenant")
        .order_by("business_unit__name", "model__name")
    )


def who_can_use(grant: ModelGrant) -> str:
    """Who a grant lets use its model, in words for the page that made it."""
    if grant.business_unit is None:
        return f"everyone in {grant.tenant.name}"
    return f"people of {grant.business_unit.name} in {grant.tenant.name}"


def tenants_by_slug(slugs: list[str]) -> list[Tenant]:
    """The tenants a platform administrator ticked (a slug that names none is left out)."""
    return list(Tenant.objects.filter(slug__in=slugs))


def custom_models_with_versions() -> QuerySet[CustomModel]:
    """The registry's index: each custom model with its entry, aliases and versions."""
    return CustomModel.objects.select_related("entry__provider").prefetch_related(
        "aliases__version", "versions"
    )


def find_custom_model(name: str) -> CustomModel:
    """The custom model called `name`, or NotFound."""
    found = CustomModel.objects.filter(name=name).first()
    if found is None:
        raise NotFound(f"No custom model {name!r}.")
    return found


def find_model_version(name: str, number: int) -> ModelVersion:
    """Version `number` of the custom model `name` (with its model, base and parent), or
    NotFound."""
    found = (
        ModelVersion.objects.select_related("custom_model", "base_model", "parent")
        .filter(custom_model__name=name, number=number)
        .first()
    )
    if found is None:
        raise NotFound(f"{name} has no version {number}.")
    return found


def versions_of(custom_model: CustomModel) -> QuerySet[ModelVersion]:
    """The custom model's versions, each with its base, parent and the aliases on it."""
    return custom_model.versions.select_related("base_model", "parent").prefetch_related("aliases")


def aliases_of(custom_model: CustomModel) -> QuerySet[ModelAlias]:
    """The custom model's aliases with the version each points at."""
    return custom_model.aliases.select_related("version")


def alias_history(custom_model: CustomModel) -> QuerySet[AliasChange]:
    """Every move of the custom model's aliases (deploys and rollbacks)."""
    return AliasChange.objects.filter(alias__custom_model=custom_model).select_related(
        "alias", "from_version", "to_version"
    )


def alias_history_of_version(version: ModelVersion) -> list[AliasChange]:
    """The moves of an alias onto or off this version."""
    return [
        change
        for change in alias_history(version.custom_model)
        if version.pk in {change.from_version_id, change.to_version_id}
    ]


class CellState:
    GRANTED = "granted"
    INHERITED = "granted to the whole tenant"
    REQUESTED = "requested"
    NONE = "none"


@dataclass(frozen=True)
class MatrixCell:
    """One tenant (or business unit) and model: granted, requested or none, and what to act on."""

    model: FoundationModel
    state: str
    grant: ModelGrant | None = None
    request: AccessRequest | None = None


@dataclass(frozen=True)
class MatrixRow:
    tenant: Tenant
    business_unit: BusinessUnit | None
    cells: list[MatrixCell] = field(default_factory=list)

    @property
    def label(self) -> str:
        return scope_label(self.tenant, self.business_unit)


@dataclass(frozen=True)
class GrantMatrix:
    models: list[FoundationModel]
    rows: list[MatrixRow]


def grant_matrix(at: datetime) -> GrantMatrix:
    """Every customer tenant and each of its active business units against every model not
    retired: who is granted, who has asked, who has neither (four queries, whatever the size)."""
    models = list(
        FoundationModel.objects.filter(Q(end_of_life_at__isnull=True) | Q(end_of_life_at__gt=at))
        .select_related("provider")
        .order_by("name")
    )
    tenants = list(
        customer_tenants().prefetch_related(
            Prefetch(
                "business_units",
                queryset=BusinessUnit.objects.filter(archived_at__isnull=True).order_by("name"),
            )
        )
    )
    grants = {
        (grant.tenant_id, grant.business_unit_id, grant.model_id): grant
        for grant in ModelGrant.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at), revoked_at__isnull=True
        ).order_by("granted_at")
    }
    pending = {
        (item.tenant_id, item.business_unit_id, item.model_id): item
        for item in AccessRequest.objects.filter(state=AccessRequest.State.PENDING)
    }
    rows = []
    for tenant in tenants:
        for unit in [None, *tenant.business_units.all()]:
            unit_id = unit.pk if unit is not None else None
            cells = []
            for model in models:
                key = (tenant.pk, unit_id, model.pk)
                if key in grants:
                    cells.append(MatrixCell(model, CellState.GRANTED, grant=grants[key]))
                elif unit is not None and (tenant.pk, None, model.pk) in grants:
                    cells.append(MatrixCell(model, CellState.INHERITED))
                elif key in pending:
                    cells.append(MatrixCell(model, CellState.REQUESTED, request=pending[key]))
                else:
                    cells.append(MatrixCell(model, CellState.NONE))
            rows.append(MatrixRow(tenant, unit, cells))
    return GrantMatrix(models=models, rows=rows)


def providers_list() -> QuerySet[Provider]:
    """Every provider with how many catalogue models it serves (the platform's page)."""
    return Provider.objects.annotate(model_count=Count("models")).order_by("name")


def find_provider(provider_id: int) -> Provider:
    found = Provider.objects.filter(pk=provider_id).first()
    if found is None:
        raise NotFound("No such provider.")
    return found


def find_model(model_id: int) -> FoundationModel:
    found = FoundationModel.objects.select_related("provider").filter(pk=model_id).first()
    if found is None:
        raise NotFound("No such model.")
    return found


def requestable_models_with_prices(tenant: Tenant, at: datetime) -> list[dict[str, object]]:
    """What a tenant administrator may ask for, each with its price in force and capabilities,
    for the request form's searchable list."""
    found = requestable_models(tenant, at).prefetch_related("prices").order_by("name")
    return [
        {"model": model, "price": price_in_force(list(model.prices.all()), at)} for model in found
    ]
