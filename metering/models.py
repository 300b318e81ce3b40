"""What every call cost: one usage event per invocation (public schema, tenant-scoped reads)."""

from __future__ import annotations

from django.contrib.postgres.indexes import BrinIndex
from django.db import models

from kernel.scoping import TenantScopedManager


class UsageEvent(models.Model):
    class Status(models.TextChoices):
        OK = "ok", "Answered"
        ERROR = "error", "Failed"
        CANCELLED = "cancelled", "Client left"
        # Refused before any provider was asked (not granted, retired, rate or budget limit,
        # a guardrail): no tokens, no cost, never against a budget; `error` says why.
        REFUSED = "refused", "Refused"

    request_id = models.CharField(max_length=64)  # unique (Meta): idempotency, one event a call
    tenant_id = models.BigIntegerField()
    tenant_slug = models.CharField(max_length=40)
    business_unit_id = models.BigIntegerField(null=True, blank=True)
    principal_type = models.CharField(max_length=20)
    principal_id = models.BigIntegerField()
    principal_name = models.CharField(max_length=200)
    model_name = models.CharField(max_length=200)  # the entry that answered
    requested_model = models.CharField(
        max_length=200, blank=True, default="",
        help_text="The model as the call named it (custom/x@staging); not model_name when a "
        "fallback answered.",
    )  # fmt: skip
    model_version = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="The custom model's version that served the call (none: not a custom model, "
        "or a fallback answered).",
    )  # fmt: skip
    provider_name = models.CharField(max_length=50)
    provider_kind = models.CharField(max_length=20)
    region = models.CharField(max_length=30, blank=True)
    operation = models.CharField(max_length=20)  # "chat" or "embeddings"
    streamed = models.BooleanField(default=False)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    # Of input_tokens: read from the provider's prompt cache, and written to it.
    cached_input_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    tokens_counted = models.BooleanField(
        default=False, help_text="The provider reported no usage; we counted the tokens."
    )
    usage_anomaly = models.CharField(
        max_length=300, blank=True,
        help_text="Usage the provider reported that cannot be true, and what was charged instead.",
    )  # fmt: skip
    latency_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    input_price_per_million = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    output_price_per_million = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    cached_input_price_per_million = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    cache_write_price_per_million = models.DecimalField(max_digits=12, decimal_places=6, null=True)
    cost = models.DecimalField(
        max_digits=18, decimal_places=9, null=True, help_text="None: no price was in force."
    )
    started_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-started_at"]
        # Only the indexes reads use: every index costs each of the recorder's inserts (#16).
        # A constraint, not unique=True: no second (pattern-matching) index on request_id.
        constraints = [
            models.UniqueConstraint(fields=["request_id"], name="one_usage_event_per_request"),
        ]
        indexes = [
            # A tenant's reads: billing pages, the usage API, budgets (started_at's own index
            # serves the platform's reads, the export and the rollups).
            models.Index(fields=["tenant_id", "started_at"]),
            # The rollups read new events by it (beside the hours `TouchedHour` marks). It only
            # grows with the table, so a block-range index serves at almost no cost per insert.
            BrinIndex(fields=["created_at"], name="usage_created_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_slug} {self.model_name} {self.input_tokens}+{self.output_tokens}"


class UsageRollup(models.Model):
    """Usage summed per hour or day x tenant x business unit x model x provider x currency.
    Rebuilt from the events of every bucket that received an event (`metering.rollups`), so
    re-running changes nothing and a late event is folded into its own hour."""

    class Period(models.TextChoices):
        HOUR = "hour", "Hour"
        DAY = "day", "Day"

    period = models.CharField(max_length=4, choices=Period.choices)
    bucket = models.DateTimeField()
    tenant_id = models.BigIntegerField()
    tenant_slug = models.CharField(max_length=40)
    business_unit_id = models.BigIntegerField(null=True, blank=True)
    model_name = models.CharField(max_length=200)
    provider_name = models.CharField(max_length=50)
    currency = models.CharField(max_length=3, blank=True)
    calls = models.BigIntegerField()
    failed_calls = models.BigIntegerField()
    input_tokens = models.BigIntegerField()
    output_tokens = models.BigIntegerField()
    cost = models.DecimalField(max_digits=20, decimal_places=9)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "period", "bucket", "tenant_id", "business_unit_id", "model_name",
                    "provider_name", "currency",
                ],
                nulls_distinct=False,
                name="one_rollup_row_per_key",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["period", "tenant_id", "bucket"])]

    def __str__(self) -> str:
        return f"{self.period} {self.bucket:%Y-%m-%d %H:00} {self.tenant_slug} {self.model_name}"


class RollupWatermark(models.Model):
    """Events created up to `until` are in the rollups (one row)."""

    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"rolled up to {self.until:%Y-%m-%d %H:%M:%S}"


class UsageDeadLetter(models.Model):
    """A queued usage event the recorder could not write, set aside so that it never holds up
    the events queued with it. Platform administrators see them in the admin and with
    `manage.py usage_dead_letters`, mend the payload if need be, and replay them (a replayed
    event already recorded is skipped: one event a request id)."""

    entry_id = models.CharField(max_length=40, help_text="Its id in the usage stream.")
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    tenant_id = models.BigIntegerField(null=True, blank=True)
    payload = models.TextField(help_text="The queued event (JSON), as the gateway wrote it.")
    error = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["replayed_at"])]

    def __str__(self) -> str:
        return f"usage event {self.request_id or self.entry_id}: {self.error[:80]}"


class TouchedHour(models.Model):
    """An hour that received usage events not yet folded into the rollups: written by a trigger
    in the same transaction as the events (every way they are inserted), so the rollups see the
    hour exactly when they can see its events, whatever the writers' clocks say and however long
    their transactions took to commit. The rollups consume the rows they read."""

    hour = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} touched"
