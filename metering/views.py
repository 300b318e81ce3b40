"""Billing pages: the platform's (every tenant) and a tenant's own. Each page, its chart and its
CSV download come from one selector call with the same filters, so they cannot disagree."""

from __future__ import annotations

import csv
from dataclasses import asdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from identity.permissions import platform_admin_required, tenant_role_required
from kernel.form_values import LAST_DAY
from metering.selectors import (
    MAX_DAYS,
    PLATFORM_DIMENSIONS,
    TENANT_DIMENSIONS,
    CostReport,
    DateRange,
    Dimension,
    platform_costs,
    shown_cost,
    tenant_costs,
)
from tenants.models import Role


class BillingFilter(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label="Group by")
    format = forms.ChoiceField(label="Format", required=False,
                               choices=[("", "This page"), ("csv", "CSV")])  # fmt: skip

    def __init__(self, query: Any, dimensions: dict[str, Dimension]) -> None:
        today = timezone.now().date()
        data = query.copy()
        data.setdefault("start", today.replace(day=1).isoformat())
        data.setdefault("end", today.isoformat())
        data.setdefault("group", next(iter(dimensions)))
        super().__init__(data)
        self.dimensions = dimensions
        self.fields["group"].choices = [(key, dim.title) for key, dim in dimensions.items()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if unknown := sorted(set(self.data) - set(self.fields)):
            raise forms.ValidationError(
                f"Unknown parameter {', '.join(unknown)}: this page reads {', '.join(self.fields)}."
            )
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(f"Choose a range of at most {MAX_DAYS} days.")
            if end > LAST_DAY:
                raise forms.ValidationError(f"Choose an end date up to {LAST_DAY}.")
        return cleaned

    @property
    def period(self) -> DateRange:
        return DateRange(self.cleaned_data["start"], self.cleaned_data["end"])

    @property
    def dimension(self) -> Dimension:
        return self.dimensions[self.cleaned_data["group"]]


def money(amount: Decimal) -> str:
    """To the millionth, with at least two decimals: 1,234.50 · 0.0123 · 0.000035."""
    whole, fraction = f"{shown_cost(amount):,f}".split(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


@platform_admin_required
@require_GET
def platform_billing(request: HttpRequest) -> HttpResponse:
    billing = BillingFilter(request.GET, PLATFORM_DIMENSIONS)
    if not billing.is_valid():
        return _refused(request, "metering/platform_billing.html", billing, {})
    report = platform_costs(billing.period, billing.dimension)
    if billing.cleaned_data["format"] == "csv":
        return _csv(report, "platform")
    return render(request, "metering/platform_billing.html", _context(billing, report))


@tenant_role_required(Role.ADMIN)
@require_GET
def tenant_billing(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]  # set by the tenant routing middleware
    extra = {"tenant": tenant, "role": request.tenant_role}  # type: ignore[attr-defined]
    billing = BillingFilter(request.GET, TENANT_DIMENSIONS)
    if not billing.is_valid():
        return _refused(request, "metering/tenant_billing.html", billing, extra)
    report = tenant_costs(tenant, billing.period, billing.dimension)
    if billing.cleaned_data["format"] == "csv":
        return _csv(report, tenant.slug)
    context = {**_context(billing, report), **extra}
    return render(request, "metering/tenant_billing.html", context)


def _refused(
    request: HttpRequest, template: str, billing: BillingFilter, extra: dict[str, Any]
) -> HttpResponse:
    return render(request, template, {"billing": billing, **extra}, status=400)


def _context(billing: BillingFilter, report: CostReport) -> dict[str, Any]:
    shown = report.period
    csv_query = urlencode({
        "start": shown.first.isoformat(), "end": shown.last.isoformat(),
        "group": report.dimension.key, "format": "csv",
    })  # fmt: skip
    return {
        "billing": billing,
        "report": report,
        "rows": [_cells(row) for row in report.rows],
        "by_group": [_cells(total) for total in report.by_group],
        "totals": [_cells(total) for total in report.totals],
        "chart": _chart(report),
        "csv_query": csv_query,
    }


def _cells(line: Any) -> dict[str, Any]:
    """A row or a total as shown: money to the millionth, as in the CSV (a total's cost already
    adds the rows' shown costs, see `metering.selectors.shown_cost`)."""
    return {**asdict(line), "cost": money(line.cost), "currency": line.currency or "unpriced"}


def _chart(report: CostReport) -> dict[str, Any]:
    """Cost per day, one stacked series per group; a stack per currency, never mixing them."""
    days = report.period.days
    index = {day: n for n, day in enumerate(days)}
    series: dict[tuple[str, str], list[str]] = {}
    for row in report.rows:
        if row.currency:
            costs = series.setdefault((row.group, row.currency), ["0"] * len(days))
            costs[index[row.day]] = f"{shown_cost(row.cost):f}"
    order = {group: n for n, group in enumerate(report.groups)}
    return {
        "days": [day.isoformat() for day in days],
        "currencies": sorted({currency for _, currency in series}),
        "series": [
            {"group": group, "currency": currency, "costs": costs}
            for (group, currency), costs in sorted(series.items(), key=lambda s: order[s[0][0]])
        ],
    }


def _csv(report: CostReport, name: str) -> HttpResponse:
    """The daily table of the page, cell for cell (money without thousands separators)."""
    period = report.period
    filename = f"atrium-billing-{name}-{period.first}-to-{period.last}-by-{report.dimension.key}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow([
        "Day", report.dimension.title, "Currency", "Calls", "Failed calls", "Input tokens",
        "Output tokens", "Cost",
    ])  # fmt: skip
    for row in report.rows:
        cells = _cells(row)
        writer.writerow([
            row.day.isoformat(), _spreadsheet_safe(row.group), cells["currency"], row.calls,
            row.failed_calls, row.input_tokens, row.output_tokens, cells["cost"].replace(",", ""),
        ])  # fmt: skip
    return response


def _spreadsheet_safe(text: str) -> str:
    """A name that starts like a formula is quoted, so a spreadsheet shows it, not runs it."""
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
