"""Reads of usage for the billing pages: cost per day by one dimension over a date range.

The platform's report reads the daily rollups (every tenant, cheap at any range); a tenant's
report reads that tenant's events, since only they know the person behind each call. Both
answer the same `CostReport`, so the pages, their charts and their CSV share one shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from metering.models import RollupWatermark, UsageDeadLetter, UsageEvent, UsageRollup
from tenants.models import BusinessUnit, Tenant

ZERO = Decimal(0)
NO_UNIT = "No business unit"


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
        Dimension("person", "Person", ("principal_type", "principal_id")),
        Dimension("business_unit", "Business unit", ("tenant_id", "business_unit_id")),
    )
}


@dataclass(frozen=True)
class CostRow:
    """One day's usage of one group in one currency ("" for calls no price covered)."""

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
    """The range's usage in one currency: of one group, or of all (`group` None)."""

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
    events = UsageEvent.objects.unscoped().filter(
        tenant_id=tenant.pk, started_at__gte=period.start, started_at__lt=period.end
    )
    grouped = (
        events.annotate(day=TruncDate("started_at", tzinfo=UTC))
        .values("day", *dimension.fields, "currency")
        .annotate(
            n_calls=Count("id"),
            n_failed=Count("id", filter=~Q(status=UsageEvent.Status.OK)),
            n_input=Sum("input_tokens"),
            n_output=Sum("output_tokens"),
            total_cost=Coalesce(Sum("cost"), Value(ZERO), output_field=DecimalField()),
            person=Max("principal_name"),
        )
        .order_by()
    )
    entries = list(grouped)
    return _report(period, dimension, entries, _namer(dimension, entries, tenant=tenant))


Namer = Callable[[Mapping[str, Any]], str]


def _namer(dimension: Dimension, entries: list[dict[str, Any]], tenant: Tenant | None) -> Namer:
    """How to name each entry's group (a tenant's own report leaves its name out); names of
    tenants and business units are looked up once, not per entry."""
    if dimension.key == "person":
        return _person_namer(entries)
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
        unit = units.get(entry["business_unit_id"], NO_UNIT)
        return unit if tenant is not None else f"{tenant_name(entry)} / {unit}"

    return unit_name


def _tenant_names(entries: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    ids = {entry["tenant_id"] for entry in entries}
    return dict(Tenant.objects.filter(pk__in=ids).values_list("pk", "name"))


def _unit_names(ids: Iterable[int | None]) -> dict[int | None, str]:
    wanted = {unit_id for unit_id in ids if unit_id is not None}
    return dict(BusinessUnit.objects.filter(pk__in=wanted).values_list("pk", "name"))


def _person_namer(entries: list[dict[str, Any]]) -> Namer:
    """A person by one name even if it changed within the range; service accounts marked."""
    names: dict[tuple[str, int], str] = {}
    for entry in entries:
        key = (entry["principal_type"], entry["principal_id"])
        names[key] = max(names.get(key, ""), entry["person"])

    def name(entry: Mapping[str, Any]) -> str:
        person = names[(entry["principal_type"], entry["principal_id"])]
        return f"{person} (service account)" if entry["principal_type"] != "user" else person

    return name


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


def _report(
    period: DateRange,
    dimension: Dimension,
    entries: list[dict[str, Any]],
    namer: Namer,
    as_of: datetime | None = None,
) -> CostReport:
    """Fold the grouped entries into rows (two ids may share one name), groups and totals."""
    rows_summed: dict[tuple[date, str, str], _Sums] = {}
    for entry in entries:
        rows_summed.setdefault((entry["day"], namer(entry), entry["currency"]), _Sums()).add(
            entry["n_calls"] or 0, entry["n_failed"] or 0, entry["n_input"] or 0,
            entry["n_output"] or 0, entry["total_cost"] or ZERO,
        )  # fmt: skip
    rows = [CostRow(*key, *sums.values()) for key, sums in rows_summed.items()]
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
