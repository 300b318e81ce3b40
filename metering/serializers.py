"""The usage API's query and answer, as DRF serializers (they are its OpenAPI schema too)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from kernel.form_values import LAST_DAY, whole_number
from kernel.strict_input import StrictSerializer
from metering.models import UsageEvent
from metering.selectors import MAX_DAYS, USAGE_GROUPS, DateRange, UsageFilter

MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000  # its offset (page x size) must fit in PostgreSQL's bigint
TENANT_GROUPS = tuple(key for key in USAGE_GROUPS if key != "tenant")


class UsageQuery(StrictSerializer):
    """What a tenant may ask of its own usage."""

    groups: tuple[str, ...] = TENANT_GROUPS

    start = serializers.DateField(
        required=False,
        help_text="First UTC day of the range, included (default: the first of this month).",
    )
    end = serializers.DateField(
        required=False, help_text="Last UTC day of the range, included (default: today)."
    )
    group_by = serializers.CharField(
        required=False,
        default="day",
        help_text="Comma-separated, in the order wanted: "
        f"{', '.join(TENANT_GROUPS)} (platform: tenant too). Every line is also split by "
        "currency.",
    )
    business_unit = serializers.CharField(
        required=False, help_text='A business unit\'s id, or "none" for calls charged to none.'
    )
    principal = serializers.RegexField(
        r"^(user|service_account):[0-9]{1,18}$",
        required=False,
        help_text="user:<id> or service_account:<id>.",
    )
    model = serializers.CharField(required=False, help_text="A catalogue model's name.")
    provider = serializers.CharField(required=False, help_text="A provider's name.")
    status = serializers.ChoiceField(choices=UsageEvent.Status.values, required=False)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_PAGE)
    page_size = serializers.IntegerField(
        required=False, default=100, min_value=1, max_value=MAX_PAGE_SIZE
    )

    def validate_group_by(self, value: str) -> tuple[str, ...]:
        keys = tuple(dict.fromkeys(key.strip() for key in value.split(",") if key.strip()))
        unknown = [key for key in keys if key not in self.groups]
        if unknown or not keys:
            raise serializers.ValidationError(
                f"Group by any of {', '.join(self.groups)}; not {', '.join(unknown) or 'nothing'}."
            )
        return keys

    def validate_business_unit(self, value: str) -> str:
        if value != "none" and whole_number(value) is None:
            raise serializers.ValidationError('A business unit\'s id, or "none".')
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.now().date()
        start: date = attrs.setdefault("start", today.replace(day=1))
        end: date = attrs.setdefault("end", today)
        if start > end:
            raise serializers.ValidationError({"start": "The start must be on or before the end."})
        if end > LAST_DAY:
            raise serializers.ValidationError({"end": f"A day up to {LAST_DAY}."})
        if (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"end": f"A range of at most {MAX_DAYS} days."})
        return attrs

    def usage_filter(self, tenant_id: int | None, *, every_tenant: bool = False) -> UsageFilter:
        data = self.validated_data
        unit = data.get("business_unit", "")
        principal = data.get("principal")
        kind, _, number = principal.partition(":") if principal else ("", "", "")
        return UsageFilter(
            tenant_id=tenant_id,
            every_tenant=every_tenant,
            business_unit_id=None if unit in ("", "none") else int(unit),
            without_business_unit=unit == "none",
            principal=(kind, int(number)) if principal else None,
            model_name=data.get("model", ""),
            provider_name=data.get("provider", ""),
            status=data.get("status", ""),
        )

    @property
    def period(self) -> DateRange:
        return DateRange(self.validated_data["start"], self.validated_data["end"])


class PlatformUsageQuery(UsageQuery):
    """What a platform administrator may ask: every tenant's usage, or one tenant's."""

    groups = tuple(USAGE_GROUPS)

    tenant = serializers.SlugField(required=False, help_text="One tenant's slug.")


MONEY_HELP = "Exact (9 decimals), as text: sum the lines' costs and you get the total's."


class UsageLineSerializer(serializers.Serializer):
    group = serializers.DictField(
        help_text="One key per group-by: day (YYYY-MM-DD), month (YYYY-MM), model, provider "
        "(text); tenant, business_unit ({id, name}; a unit id null is no unit); principal "
        "({type, id, name})."
    )
    currency = serializers.CharField(help_text='"" for calls no price covered.')
    calls = serializers.IntegerField()
    failed_calls = serializers.IntegerField(help_text="Calls not answered: errors, refusals.")
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost = serializers.CharField(help_text=MONEY_HELP)


class UsageTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    calls = serializers.IntegerField()
    failed_calls = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost = serializers.CharField(help_text=MONEY_HELP)


class UsageAnswerSerializer(serializers.Serializer):
    object = serializers.CharField(default="list")
    start = serializers.DateField()
    end = serializers.DateField(help_text="Included: the range is whole UTC days.")
    group_by = serializers.ListField(child=serializers.CharField())
    data = UsageLineSerializer(many=True)
    totals = UsageTotalSerializer(many=True, help_text="Of every page, one per currency.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    has_more = serializers.BooleanField()
