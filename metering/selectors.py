"""Reads of usage for the billing pages: cost per day by one dimension over a date range.

The platform's report reads the daily rollups (every tenant, cheap at any range); a tenant's
report reads that tenant's events, since only they know the person behind each call. Both
answer the same `CostReport`, so the pages, their charts and their CSV share one shape: money as
shown (`shown_cost`), every total the sum of the rows shown, so a person can re-add it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from metering.models import RollupWatermark, UsageDeadLetter, UsageEvent, UsageRollup
from tenants.models import BusinessUnit, Tenant

ZERO = Decimal(0)
MAX_DAYS = 366  # the longest range a page or the API sums at once
NO_UNIT = "No business unit"
SHOWN_COST = Decimal("0.000001")  # the billing pages and their CSVs show money to the millionth


def shown_cost(amount: Decimal) -> Decimal:
    """Money as the billing pages, their charts and CSVs show it: to the millionth, half up.
    Their totals add rows rounded by this, never round the exact sum (docs/metering.md,
    "Rounding"); the usage API and the export keep the events' 9 decimals."""
    return amount.quantize(SHOWN_COST, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days, both ends included."""

    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the range."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Dimension:
    """What the costs are split by: the fields grouped on and how a group is named."""

    key: str
    title: str
    fields: tuple[str, ...]


PLATFORM_DIMENSIONS = {
    dimension.key: dimension
    for dimension in (
        Dimension("tenant", "Tenant", ("tenant_id",)),
        Dimension("business_unit", "Business unit", ("tenant_id", "business_unit_id")),
        Dimension("provider", "Provider", ("provider_name",)),
        Dimension("model", "Model", ("model_name",)),
    )
}
TENANT_DIMENSIONS = {
    dimension.key: dimension
    for dimension in (
        Dimension("model", "Model", ("model_name",)),
        Dimension("model_version", "Model version", ("model_name", "model_version")),
        Dimension("person", "Person", ("principal_type", "principal_id")),
        Dimension("business_unit", "Business unit", ("tenant_id", "business_unit_id")),
    )
}


@dataclass(frozen=True)
class CostRow:
    """One day's usage of one group in one currency ("" for calls no price covered); `cost` as
    shown (`shown_cost`)."""

    day: date
    group: str
    currency: str
    calls: int
    failed_calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class CostTotal:
    """The range's usage in one currency: of one group, or of all (`group` None). In a
    `CostReport`, `cost` is the sum of the rows' shown costs; in the usage API, the exact sum."""

    currency: str
    calls: int
    failed_calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal
    group: str | None = None


@dataclass(frozen=True)
class CostReport:
    period: DateRange
    dimension: Dimension
    rows: list[CostRow]  # by day, then by group
    by_group: list[CostTotal]  # costliest first
    totals: list[CostTotal]  # one per currency, priced currencies first
    as_of: datetime | None = None  # the rollups hold the events recorded up to then

    @property
    def groups(self) -> list[str]:
        """The dimension's groups, costliest first."""
        return list(dict.fromkeys(total.group or "" for total in self.by_group))

    @property
    def calls(self) -> int:
        return sum(total.calls for total in self.totals)

    @property
    def failed_calls(self) -> int:
        return sum(total.failed_calls for total in self.totals)

    @property
    def input_tokens(self) -> int:
        return sum(total.input_tokens for total in self.totals)

    @property
    def output_tokens(self) -> int:
        return sum(total.output_tokens for total in self.totals)


def platform_costs(period: DateRange, dimension: Dimension) -> CostReport:
    """Every tenant's cost per day by `dimension`, from the daily rollups."""
    rollups = UsageRollup.objects.unscoped().filter(
        period=UsageRollup.Period.DAY, bucket__gte=period.start, bucket__lt=period.end
    )
    grouped = (
        rollups.values("bucket", *dimension.fields, "currency")
        .annotate(
            n_calls=Sum("calls"),
            n_failed=Sum("failed_calls"),
            n_input=Sum("input_tokens"),
            n_output=Sum("output_tokens"),
            total_cost=Sum("cost"),
        )
        .order_by()
    )
    entries = [{**entry, "day": entry["bucket"].astimezone(UTC).date()} for entry in grouped]
    namer = _namer(dimension, entries, tenant=None)
    watermark = RollupWatermark.objects.first()
    return _report(period, dimension, entries, namer, watermark.until if watermark else None)


def tenant_costs(tenant: Tenant, period: DateRange, dimension: Dimension) -> CostReport:
    """`tenant`'s cost per day by `dimension`, from its own events only."""
    events = usage_events(period, UsageFilter(tenant_id=tenant.pk))
    entries = list(grouped_usage(events, ("day", *dimension.fields)))
    return _report(period, dimension, entries, _namer(dimension, entries, tenant=tenant))


# What the usage API groups by, and the event fields (or computed day/month) each group is.
USAGE_GROUPS: dict[str, tuple[str, ...]] = {
    "day": ("day",),
    "month": ("month",),
    "tenant": ("tenant_id",),
    "business_unit": ("tenant_id", "business_unit_id"),
    "principal": ("tenant_id", "principal_type", "principal_id"),
    "model": ("model_name",),
    "model_version": ("model_name", "model_version"),
    "provider": ("provider_name",),
}


@dataclass(frozen=True)
class UsageFilter:
    """Which events count: of one tenant (None: every tenant), one business unit (or those of
    none), one principal, model, provider, status; empty fields filter nothing."""

    tenant_id: int | None = None
    every_tenant: bool = False  # the platform's reads only: with no tenant_id, all of them
    business_unit_id: int | None = None
    without_business_unit: bool = False
    principal: tuple[str, int] | None = None
    model_name: str = ""
    provider_name: str = ""
    status: str = ""


def usage_events(period: DateRange, only: UsageFilter) -> QuerySet[UsageEvent]:
    """The events started within `period` that `only` keeps. Without a tenant named, and unless
    every tenant is asked for by name, the tenant in context's: a caller that forgets the tenant
    fails closed (NoTenantInContext), it never reads everyone's."""
    if only.tenant_id is not None:
        events = UsageEvent.objects.unscoped().filter(tenant_id=only.tenant_id)
    elif only.every_tenant:
        events = UsageEvent.objects.unscoped()
    else:
        events = UsageEvent.objects.all()
    events = events.filter(started_at__gte=period.start, started_at__lt=period.end)
    if only.without_business_unit:
        events = events.filter(business_unit_id__isnull=True)
    elif only.business_unit_id is not None:
        events = events.filter(business_unit_id=only.business_unit_id)
    if only.principal is not None:
        events = events.filter(principal_type=only.principal[0], principal_id=only.principal[1])
    for field in ("model_name", "provider_name", "status"):
        if value := getattr(only, field):
            events = events.filter(**{field: value})
    return events


def grouped_usage(events: QuerySet[UsageEvent], fields: tuple[str, ...]) -> QuerySet[Any]:
    """The one sum of usage (billing pages, their CSVs, the usage API): calls, failed calls,
    tokens and cost of `events` per `fields` x currency, ordered by them (a stable order)."""
    computed = {
        "day": TruncDate("started_at", tzinfo=UTC),
        "month": TruncMonth("started_at", tzinfo=UTC),
    }
    wanted = {name: value for name, value in computed.items() if name in fields}
    return (
        events.annotate(**wanted)
        .values(*fields, "currency")
        .annotate(
            n_calls=Count("id"),
            n_failed=Count("id", filter=~Q(status=UsageEvent.Status.OK)),
            n_input=Sum("input_tokens"),
            n_output=Sum("output_tokens"),
            total_cost=Coalesce(Sum("cost"), Value(ZERO), output_field=DecimalField()),
            person=Max("principal_name"),
        )
        .order_by(*fields, "currency")
    )


@dataclass(frozen=True)
class UsageLine:
    """One group's usage in one currency; `group` names it by each group-by asked."""

    group: dict[str, Any]
    currency: str
    calls: int
    failed_calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class UsagePage:
    lines: list[UsageLine]
    totals: list[CostTotal]  # of the whole range and filter, one per currency
    has_more: bool


def usage_page(
    period: DateRange, group_by: tuple[str, ...], only: UsageFilter, *, page: int, page_size: int
) -> UsagePage:
    """Page `page` (from 1) of the usage in `period` grouped by `group_by` (keys of
    USAGE_GROUPS), ordered by the groups then currency; totals per currency for all pages."""
    fields = tuple(dict.fromkeys(field for key in group_by for field in USAGE_GROUPS[key]))
    events = usage_events(period, only)
    offset = (page - 1) * page_size
    entries = list(grouped_usage(events, fields)[offset : offset + page_size + 1])
    has_more = len(entries) > page_size
    entries = entries[:page_size]
    names = _group_namer(group_by, entries)
    lines = [
        UsageLine(names(entry), entry["currency"], *_entry_sums(entry).values())
        for entry in entries
    ]
    currencies = sorted(grouped_usage(events, ()), key=lambda e: (not e["currency"], e["currency"]))
    totals = [CostTotal(entry["currency"], *_entry_sums(entry).values()) for entry in currencies]
    return UsagePage(lines=lines, totals=totals, has_more=has_more)


def _entry_sums(entry: Mapping[str, Any]) -> _Sums:
    sums = _Sums()
    sums.add(
        entry["n_calls"] or 0, entry["n_failed"] or 0, entry["n_input"] or 0,
        entry["n_output"] or 0, entry["total_cost"] or ZERO,
    )  # fmt: skip
    return sums


def _group_namer(
    group_by: tuple[str, ...], entries: list[dict[str, Any]]
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """How each group-by of an entry is shown: days and months as ISO text, tenants, business
    units and principals by id and name (names looked up once per page)."""
    tenants = _tenant_names(entries) if {"tenant", "business_unit"} & set(group_by) else {}
    units = (
        _unit_names(entry["business_unit_id"] for entry in entries)
        if "business_unit" in group_by
        else {}
    )
    people = _principal_names(entries) if "principal" in group_by else {}

    def named(entry: Mapping[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        for key in group_by:
            if key == "day":
                shown[key] = entry["day"].isoformat()
            elif key == "month":
                shown[key] = entry["month"].astimezone(UTC).strftime("%Y-%m")
            elif key == "tenant":
                shown[key] = {"id": entry["tenant_id"], "name": tenants.get(entry["tenant_id"])}
            elif key == "business_unit":
                unit = entry["business_unit_id"]
                shown[key] = {"id": unit, "name": units[unit]}
            elif key == "model_version":
                shown[key] = {"model": entry["model_name"], "version": entry["model_version"]}
            elif key == "principal":
                principal = (entry["principal_type"], entry["principal_id"])
                shown[key] = {"type": principal[0], "id": principal[1], "name": people[principal]}
            else:
                shown[key] = entry[USAGE_GROUPS[key][0]]
        return shown

    return named


Namer = Callable[[Mapping[str, Any]], str]


def _namer(dimension: Dimension, entries: list[dict[str, Any]], tenant: Tenant | None) -> Namer:
    """How to name each entry's group (a tenant's own report leaves its name out); names of
    tenants and business units are looked up once, not per entry."""
    if dimension.key == "person":
        return _person_namer(entries)
    if dimension.key == "model_version":
        return _versioned_name
    if dimension.key not in {"tenant", "business_unit"}:
        field = dimension.fields[0]
        return lambda entry: str(entry[field])
    tenants = _tenant_names(entries) if tenant is None else {}

    def tenant_name(entry: Mapping[str, Any]) -> str:
        return tenants.get(entry["tenant_id"], f"Tenant {entry['tenant_id']}")

    if dimension.key == "tenant":
        return tenant_name
    units = _unit_names(entry["business_unit_id"] for entry in entries)

    def unit_name(entry: Mapping[str, Any]) -> str:
        unit = units[entry["business_unit_id"]]
        return unit if tenant is not None else f"{tenant_name(entry)} / {unit}"

    return unit_name


def _versioned_name(entry: Mapping[str, Any]) -> str:
    """A custom model with the version that served: custom/claims v3."""
    version = entry["model_version"]
    return entry["model_name"] + (f" v{version}" if version is not None else "")


def _tenant_names(entries: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Each tenant's name; tenants that share one (names are not unique) are told apart by their
    slug, "Acme Ltd (acme-eu)", so a report never adds two tenants' costs into one row."""
    ids = {entry["tenant_id"] for entry in entries}
    found = list(Tenant.objects.filter(pk__in=ids).values_list("pk", "name", "slug"))
    shared = Counter(name for _, name, _ in found)
    return {pk: f"{name} ({slug})" if shared[name] > 1 else name for pk, name, slug in found}


def _unit_names(ids: Iterable[int | None]) -> dict[int | None, str]:
    """Each unit's name by id: no unit is `NO_UNIT`, a unit deleted since (with its tenant) is
    "Unit 17 (deleted)", never taken for no unit."""
    wanted = {unit_id for unit_id in ids if unit_id is not None}
    names: dict[int | None, str] = {unit_id: f"Unit {unit_id} (deleted)" for unit_id in wanted}
    names.update(BusinessUnit.objects.filter(pk__in=wanted).values_list("pk", "name"))
    names[None] = NO_UNIT
    return names


def _person_namer(entries: list[dict[str, Any]]) -> Namer:
    """A person by one name even if it changed within the range; service accounts marked."""
    names = _principal_names(entries)

    def name(entry: Mapping[str, Any]) -> str:
        person = names[(entry["principal_type"], entry["principal_id"])]
        return f"{person} (service account)" if entry["principal_type"] != "user" else person

    return name


def _principal_names(entries: list[dict[str, Any]]) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for entry in entries:
        key = (entry["principal_type"], entry["principal_id"])
        names[key] = max(names.get(key, ""), entry["person"])
    return names


@dataclass
class _Sums:
    calls: int = 0
    failed_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = ZERO

    def add(
        self, calls: int, failed: int, input_tokens: int, output_tokens: int, cost: Decimal
    ) -> None:
        self.calls += calls
        self.failed_calls += failed
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cost += cost

    def values(self) -> tuple[int, int, int, int, Decimal]:
        return self.calls, self.failed_calls, self.input_tokens, self.output_tokens, self.cost

    def shown(self) -> tuple[int, int, int, int, Decimal]:
        """The values with the cost rounded as the billing pages show it."""
        calls, failed, input_tokens, output_tokens, cost = self.values()
        return calls, failed, input_tokens, output_tokens, shown_cost(cost)


def _report(
    period: DateRange,
    dimension: Dimension,
    entries: list[dict[str, Any]],
    namer: Namer,
    as_of: datetime | None = None,
) -> CostReport:
    """Fold the grouped entries into rows (two ids may share one name), each row's cost as shown,
    then groups and totals as sums of those rows: what a person re-adding them gets."""
    rows_summed: dict[tuple[date, str, str], _Sums] = {}
    for entry in entries:
        key = (entry["day"], namer(entry), entry["currency"])
        rows_summed.setdefault(key, _Sums()).add(*_entry_sums(entry).values())
    rows = [CostRow(*key, *sums.shown()) for key, sums in rows_summed.items()]
    rows.sort(key=lambda row: (row.day, row.group.casefold(), row.currency))
    by_group: dict[tuple[str, str], _Sums] = {}
    by_currency: dict[str, _Sums] = {}
    for row in rows:
        sums = (row.calls, row.failed_calls, row.input_tokens, row.output_tokens, row.cost)
        by_group.setdefault((row.group, row.currency), _Sums()).add(*sums)
        by_currency.setdefault(row.currency, _Sums()).add(*sums)
    groups = [
        CostTotal(currency, *sums.values(), group=group)
        for (group, currency), sums in by_group.items()
    ]
    groups.sort(key=lambda total: (-total.cost, total.group or "", total.currency))
    priced_first = sorted(by_currency, key=lambda currency: (not currency, currency))
    return CostReport(
        period=period,
        dimension=dimension,
        rows=rows,
        by_group=groups,
        totals=[CostTotal(currency, *by_currency[currency].values()) for currency in priced_first],
        as_of=as_of,
    )


def dead_letters_waiting() -> int:
    """Usage events the recorder set aside, not replayed yet (`atrium_usage_dead_letters`)."""
    return UsageDeadLetter.objects.filter(replayed_at__isnull=True).count()


def dead_letters(ids: list[int] | None = None) -> QuerySet[UsageDeadLetter]:
    """Set-aside usage events not replayed yet (only `ids`, if given), oldest first."""
    letters = UsageDeadLetter.objects.filter(replayed_at__isnull=True).order_by("pk")
    return letters.filter(pk__in=ids) if ids else letters
