"""Tenants live in the public schema; each owns one PostgreSQL schema named after its slug."""

from __future__ import annotations

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
    """A part of a tenant that is charged separately (its own cost centre and, later, budget)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="business_units")
    name = models.CharField(max_length=100)
    cost_centre = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="unique_business_unit_name"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.slug} / {self.name}"
