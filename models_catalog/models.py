"""The model catalogue (public schema): providers, models with prices and lifecycle, the access
workflow and the registry of custom models."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from tenants.models import BusinessUnit, Tenant

ENV_NAME = RegexValidator(
    r"^[A-Z][A-Z0-9_]{0,99}$",
    "Name an environment variable (A-Z, 0-9 and _), never a secret itself.",
)
ALIAS_NAME = RegexValidator(
    r"^[a-z][a-z0-9-]{0,39}$", "Aliases are lowercase letters, digits and hyphens."
)
CURRENCIES = [
    ("USD", "US dollar"),
    ("EUR", "Euro"),
    ("GBP", "Pound sterling"),
    ("JPY", "Japanese yen"),
    ("CHF", "Swiss franc"),
    ("CAD", "Canadian dollar"),
    ("AUD", "Australian dollar"),
    ("INR", "Indian rupee"),
]


# OpenAI request parameters that some providers honour and others do not (per model, below).
OPTIONAL_PARAMETERS = (
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "user",
)


class Provider(models.Model):
    class Kind(models.TextChoices):
        BEDROCK = "bedrock", "Amazon Bedrock"
        SAGEMAKER = "sagemaker", "Amazon SageMaker"
        OPENAI_COMPATIBLE = "openai_compatible", "OpenAI-compatible server"
        LOCAL = "local", "Local model (in-process)"

    name = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.CharField(max_length=30, blank=True, help_text="AWS region, e.g. us-east-1.")
    endpoint_url = models.URLField(
        blank=True, help_text="Base URL (OpenAI-compatible) or an endpoint override (AWS)."
    )
    credentials_env = models.CharField(
        max_length=100,
        blank=True,
        validators=[ENV_NAME],
        help_text="Prefix of the environment variables holding credentials (e.g. BEDROCK_PROD "
        "-> BEDROCK_PROD_ACCESS_KEY_ID); empty: the default chain. Never a secret itself.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"provider {self.name} ({self.get_kind_display()})"


class Modality(models.TextChoices):
    CHAT = "chat", "Chat"
    EMBEDDING = "embedding", "Embedding"
    RERANK = "rerank", "Rerank"


class Lifecycle(models.TextChoices):
    AVAILABLE = "available", "Available"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class FoundationModel(models.Model):
    """A model tenants may be granted: a provider's model, or (kind `custom`) the catalogue entry
    of a registered custom model, named `custom/<name>`.

    The lifecycle follows the dates: deprecated from `deprecated_at`, retired from
    `end_of_life_at` on — the instant passes and the model is off, with nothing to deploy."""

    class Kind(models.TextChoices):
        FOUNDATION = "foundation", "Foundation model"
        CUSTOM = "custom", "Custom model"

    name = models.CharField(
        max_length=200, unique=True, help_text="The id callers use, e.g. in the API's `model`."
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="models")
    provider_model_id = models.CharField(max_length=200, help_text="The provider's own id.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FOUNDATION)
    display_name = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, help_text="The model card tenants read before asking for it (plain text)."
    )
    modality = models.CharField(max_length=20, choices=Modality.choices)
    context_window = models.PositiveIntegerField(default=8192)
    max_output_tokens = models.PositiveIntegerField(default=4096)
    embedding_dimensions = models.PositiveIntegerField(null=True, blank=True)
    # What the model can do beyond plain text chat: the gateway refuses (400, naming the field)
    # whatever a request asks that the model cannot, before anything is reserved or charged.
    supports_tools = models.BooleanField(
        default=False, help_text="Function calling: tools, tool_choice, tool results."
    )
    supports_parallel_tool_calls = models.BooleanField(
        default=False, help_text="Several tool calls in one answer (parallel_tool_calls)."
    )
    supports_tool_streaming = models.BooleanField(
        default=False, help_text="Tool calls arrive streamed (stream=true with tools)."
    )
    supports_json_mode = models.BooleanField(
        default=False, help_text="response_format json_object: the answer is a JSON object."
    )
    supports_json_schema = models.BooleanField(
        default=False, help_text="response_format json_schema: the answer follows a schema."
    )
    supports_image_input = models.BooleanField(
        default=False, help_text="image_url content parts in messages."
    )
    optional_parameters = models.JSONField(
        default=list,
        blank=True,
        help_text="OpenAI parameters the provider honours for this model, of: "
        + ", ".join(OPTIONAL_PARAMETERS)
        + ".",
    )
    extra_parameters = models.JSONField(
        default=list,
        blank=True,
        help_text="Further request fields passed unchecked to an OpenAI-compatible server "
        '(e.g. vLLM\'s ["top_k", "repetition_penalty"]).',
    )
    embedding_dimension_choices = models.JSONField(
        default=list,
        blank=True,
        help_text="The `dimensions` an embedding model can shorten its vectors to, e.g. "
        "[256, 512] (its native size is always accepted).",
    )
    deprecated_at = models.DateTimeField(null=True, blank=True)
    end_of_life_at = models.DateTimeField(null=True, blank=True)
    fallbacks = models.JSONField(
        default=list,
        blank=True,
        help_text="Catalogue names to try, in order, when this model's provider fails or "
        'throttles: e.g. ["anthropic.claude-3-haiku-west", "amazon.nova-lite-v1:0"].',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deprecated_at__isnull=True)
                | models.Q(end_of_life_at__isnull=True)
                | models.Q(deprecated_at__lte=models.F("end_of_life_at")),
                name="deprecation_before_end_of_life",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"model {self.display_name or self.name} ({self.provider.name})"

    def clean(self) -> None:
        names = self.fallbacks
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValidationError({"fallbacks": "A list of catalogue model names."})
        if self.name in names:
            raise ValidationError({"fallbacks": "A model cannot fall back on itself."})
        known = set(FoundationModel.objects.filter(name__in=names).values_list("name", flat=True))
        if missing := [name for name in names if name not in known]:
            raise ValidationError({"fallbacks": f"Not in the catalogue: {', '.join(missing)}."})
        options = self.optional_parameters
        if not isinstance(options, list) or any(o not in OPTIONAL_PARAMETERS for o in options):
            raise ValidationError(
                {"optional_parameters": f"A list of: {', '.join(OPTIONAL_PARAMETERS)}."}
            )
        extra = self.extra_parameters
        if not isinstance(extra, list) or not all(isinstance(name, str) for name in extra):
            raise ValidationError({"extra_parameters": "A list of field names."})
        dims = self.embedding_dimension_choices
        if not isinstance(dims, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims
        ):
            raise ValidationError({"embedding_dimension_choices": "A list of whole numbers."})

    def capability_labels(self) -> list[str]:
        """What the model can do beyond plain text, in words, for the catalogue's pages."""
        flags = [
            (self.supports_tools, "tools"),
            (self.supports_parallel_tool_calls, "parallel tool calls"),
            (self.supports_tool_streaming, "streamed tool calls"),
            (self.supports_json_mode, "JSON"),
            (self.supports_json_schema, "JSON schema"),
            (self.supports_image_input, "images"),
        ]
        labels = [label for able, label in flags if able]
        labels += list(self.optional_parameters or [])
        if self.embedding_dimension_choices:
            sizes = sorted({*self.embedding_dimension_choices, self.embedding_dimensions or 0})
            labels.append("dimensions " + "/".join(str(size) for size in sizes if size))
        return labels

    def lifecycle(self, at: datetime) -> Lifecycle:
        if self.end_of_life_at is not None and at >= self.end_of_life_at:
            return Lifecycle.RETIRED
        if self.deprecated_at is not None and at >= self.deprecated_at:
            return Lifecycle.DEPRECATED
        return Lifecycle.AVAILABLE


class ModelPrice(models.Model):
    """A price from `effective_from` on; history is kept, never edited: usage is charged at the
    price in force when it happened."""

    model = models.ForeignKey(FoundationModel, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    input_per_million = models.DecimalField(
        max_digits=12, decimal_places=6, validators=[MinValueValidator(0)]
    )
    output_per_million = models.DecimalField(
        max_digits=12, decimal_places=6, validators=[MinValueValidator(0)]
    )
    # Prompt caching: tokens read from and written to the provider's cache have their own
    # prices. Unset, they are charged at the input price (never at nothing).
    cached_input_per_million = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    cache_write_per_million = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    effective_from = models.DateTimeField()
    source = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "effective_from"], name="one_price_per_instant"
            ),
            models.CheckConstraint(
                condition=models.Q(input_per_million__gte=0, output_per_million__gte=0),
                name="price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.input_per_million}/{self.output_per_million} {self.currency}"

    def clean(self) -> None:
        # Usage is costed, budgeted and billed in one currency: a price in another would be
        # added to it as if it were the same (a budget would never see it).
        if self.currency != settings.BILLING_CURRENCY:
            raise ValidationError({"currency": (
                f"Prices are in {settings.BILLING_CURRENCY}, the currency usage is billed in "
                f"(BILLING_CURRENCY); got {self.currency}."
            )})  # fmt: skip

    @property
    def audit_label(self) -> str:
        return f"price of {self.model.audit_label} from {self.effective_from:%Y-%m-%d %H:%M} UTC"

    @property
    def cached_input_rate(self) -> Decimal:
        return (
            self.input_per_million
            if self.cached_input_per_million is None
            else self.cached_input_per_million
        )

    @property
    def cache_write_rate(self) -> Decimal:
        return (
            self.input_per_million
            if self.cache_write_per_million is None
            else self.cache_write_per_million
        )


def scope_label(tenant: Tenant, business_unit: BusinessUnit | None) -> str:
    """Who a grant or request is for, in words: "acme" or "acme / Wealth Management"."""
    return tenant.slug if business_unit is None else f"{tenant.slug} / {business_unit.name}"


class ModelGrant(models.Model):
    """An entry of a tenant's allowlist: the model for the tenant, or for one business unit."""

    model = models.ForeignKey(FoundationModel, on_delete=models.CASCADE, related_name="grants")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="model_grants")
    business_unit = models.ForeignKey(BusinessUnit, null=True, blank=True, on_delete=models.CASCADE)
    expires_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.CharField(max_length=200)
    granted_at = models.DateTimeField()
    revoked_by = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    request = models.ForeignKey(
        "AccessRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="grants"
    )
    requests_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Calls per minute to this model; empty: no extra limit."
    )
    tokens_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens per minute to this model; empty: no extra limit."
    )

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.model} -> {self.tenant.slug}"

    @property
    def audit_label(self) -> str:
        return f"grant: {scope_label(self.tenant, self.business_unit)} → {self.model.name}"


class AccessRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="access_requests")
    business_unit = models.ForeignKey(BusinessUnit, null=True, blank=True, on_delete=models.CASCADE)
    model = models.ForeignKey(FoundationModel, on_delete=models.CASCADE, related_name="requests")
    justification = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Of the approval.")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "model", "business_unit"],
                condition=models.Q(state="pending"),
                name="one_pending_request_per_model",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.slug} asks for {self.model} ({self.state})"

    @property
    def audit_label(self) -> str:
        return f"access request: {scope_label(self.tenant, self.business_unit)} → {self.model.name}"


class CustomModel(models.Model):
    """A model the company trained or tuned, served by SageMaker or an OpenAI-compatible server.
    It reaches tenants through its catalogue entry `custom/<name>` (grants, prices, lifecycle)."""

    name = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    # The highest version number ever given: a deleted version's number is never given again,
    # so `custom/<name>@2` and the usage events of version 2 always mean one artefact.
    last_version_number = models.PositiveIntegerField(default=0)
    entry = models.OneToOneField(
        FoundationModel, on_delete=models.PROTECT, related_name="custom_model"
    )
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"custom/{self.name}"

    @property
    def audit_label(self) -> str:
        return f"custom model custom/{self.name}"


class ModelVersion(models.Model):
    custom_model = models.ForeignKey(CustomModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    artifact_uri = models.CharField(max_length=500, help_text="e.g. s3://bucket/models/x/3/")
    serving_target = models.CharField(
        max_length=300,
        help_text="The SageMaker endpoint name, or the model name on the OpenAI-compatible server.",
    )
    base_model = models.ForeignKey(
        FoundationModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    training_data = models.CharField(max_length=500, blank=True)
    hyperparameters = models.JSONField(default=dict, blank=True)
    architecture = models.CharField(max_length=200, blank=True)
    evaluation_metrics = models.JSONField(default=dict, blank=True)
    model_card = models.TextField(blank=True, help_text="Markdown.")
    registered_by = models.CharField(max_length=200)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["custom_model", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["custom_model", "number"], name="unique_version_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.custom_model}@{self.number}"

    @property
    def audit_label(self) -> str:
        return f"version {self.number} of {self.custom_model}"


class ModelAlias(models.Model):
    """`production`, `staging`, ...: a name pointing at one version of the same custom model."""

    custom_model = models.ForeignKey(CustomModel, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=40, validators=[ALIAS_NAME])
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="aliases")

    class Meta:
        ordering = ["custom_model", "name"]
        constraints = [
            models.UniqueConstraint(fields=["custom_model", "name"], name="unique_alias_name"),
        ]

    def __str__(self) -> str:
        return f"{self.custom_model}@{self.name} -> {self.version.number}"

    @property
    def audit_label(self) -> str:
        return f"alias {self.custom_model}@{self.name}"


class AliasChange(models.Model):
    class Action(models.TextChoices):
        DEPLOY = "deploy", "Deploy"
        ROLLBACK = "rollback", "Rollback"

    alias = models.ForeignKey(ModelAlias, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=10, choices=Action.choices)
    from_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(max_length=200)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.alias}: {self.action}"
