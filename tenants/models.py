"""Tenants live in the public schema; each owns one PostgreSQL schema named after its slug."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
RESERVED_SLUGS = frozenset(
    {"public", "platform", "admin", "static", "idp", "api", "www", "information-schema"}
)

slug_validator = RegexValidator(
    SLUG_PATTERN,
    "Use 3 to 40 lowercase letters, digits and hyphens, starting with a letter "
    "and not ending with a hyphen.",
)


def schema_name_for_slug(slug: str) -> str:
    """Hyphens are not allowed in schema names; slugs cannot hold underscores, so this is 1:1."""
    return slug.replace("-", "_")


class Tenant(TenantMixin):
    """A line of business or team. The public tenant (schema `public`) is the platform itself."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=40, unique=True, validators=[slug_validator])
    cost_centre = models.CharField(
        max_length=40, blank=True, help_text="The finance cost centre charged by default."
    )
    requests_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="API calls per minute for the whole tenant; empty: default.",
    )
    tokens_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens per minute for the whole tenant; empty: default."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.schema_name == "public"


class Domain(DomainMixin):
    """For subfolder routing, `domain` holds the tenant's slug: the `<slug>` of `/t/<slug>/`."""

    def __str__(self) -> str:
        return self.domain


class BusinessUnit(models.Model):
    """A part of a tenant that is charged separately (its own cost centre and budget).

    Units are archived, never deleted: usage and budgets keep naming them. An archived unit is
    nobody's default and cannot be chosen for a call."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="business_units")
    name = models.CharField(max_length=100)
    cost_centre = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="unique_business_unit_name"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.slug} / {self.name}"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None


EXTRA_UNITS_HELP = (
    "Units this principal may also charge, one call at a time, with the X-Atrium-Business-Unit "
    "header."
)


class Role(models.TextChoices):
    ADMIN = "admin", "Tenant administrator"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A person's role in a tenant. `source` says who manages it: an administrator by hand, or
    the identity provider's groups through the group mappings (re-synced at each sign-in)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by an administrator"
        IDP = "idp", "From identity-provider groups"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    business_unit = models.ForeignKey(
        "BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL,
        help_text="Where this person's usage is charged (and whose budget it counts against).",
    )  # fmt: skip
    extra_business_units = models.ManyToManyField(
        "BusinessUnit", blank=True, related_name="extra_members", help_text=EXTRA_UNITS_HELP
    )
    units_from_idp = models.BooleanField(
        default=False,
        help_text="The business units come from identity-provider groups (group mappings).",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant.slug} as {self.role}"


class ServiceAccount(models.Model):
    """A program of a tenant's, calling the API with tokens from the client-credentials grant.

    The OAuth client (id + hashed secret) is django-oauth-toolkit's Application; revoking deletes
    it (no new tokens) and stamps `revoked_at` (outstanding tokens are refused)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="service_accounts")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    client_id = models.CharField(max_length=100, unique=True)
    business_unit = models.ForeignKey(
        "BusinessUnit", null=True, blank=True, on_delete=models.SET_NULL,
        help_text="Where this program's usage is charged (and whose budget it counts against).",
    )  # fmt: skip
    extra_business_units = models.ManyToManyField(
        "BusinessUnit",
        blank=True,
        related_name="extra_service_accounts",
        help_text=EXTRA_UNITS_HELP,
    )
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="unique_active_service_account_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.slug} / {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
