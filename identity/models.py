"""Who is who: people known by (issuer, subject), and how IdP groups become roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tenants.models import BusinessUnit, Role, ServiceAccount, Tenant


class ExternalIdentity(models.Model):
    """A person as an OpenID provider knows them. The pair (issuer, subject) is the identity;
    an email address is only a profile attribute and never used to match people."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    groups_digest = models.CharField(max_length=64, blank=True)
    groups_synced_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Issue time of the token whose groups were applied last: an older token "
        "never changes the roles again.",
    )
    grants_platform_admin = models.BooleanField(
        default=False, help_text="Platform administrator through a group mapping."
    )
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "external identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class GroupMapping(models.Model):
    """An identity-provider group and what it gives: a role, e.g. `lob-retail-admins` -> tenant
    administrator of acme, or `atrium-platform-admins` -> platform administrator; and/or a
    business unit of the tenant, e.g. `dept-wealth` -> Wealth Management of acme (with the
    grant "business unit only", the role comes from other groups)."""

    class Grant(models.TextChoices):
        PLATFORM_ADMIN = "platform_admin", "Platform administrator"
        TENANT_ADMIN = Role.ADMIN.value, "Tenant administrator"
        MEMBER = Role.MEMBER.value, "Member"
        BUSINESS_UNIT = "business_unit", "Business unit only (no role)"

    group = models.CharField(max_length=200)
    grant = models.CharField(max_length=20, choices=Grant.choices)
    tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="The tenant the role is in; empty for platform administrator.",
    )
    business_unit = models.ForeignKey(
        BusinessUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_mappings",
        help_text="The tenant's business unit the group's people are charged to (optional).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group"]
        constraints = [
            models.UniqueConstraint(fields=["group", "tenant"], name="unique_group_mapping"),
            models.CheckConstraint(
                condition=(
                    models.Q(grant="platform_admin", tenant__isnull=True)
                    | (~models.Q(grant="platform_admin") & models.Q(tenant__isnull=False))
                ),
                name="group_mapping_tenant_matches_grant",
            ),
            models.CheckConstraint(
                condition=~models.Q(grant="business_unit", business_unit__isnull=True),
                name="group_mapping_unit_only_names_a_unit",
            ),
        ]

    def __str__(self) -> str:
        where = f" of {self.tenant.slug}" if self.tenant_id else ""
        unit = f" in {self.business_unit.name}" if self.business_unit_id else ""
        return f"{self.group} -> {self.get_grant_display()}{where}{unit}"

    def clean(self) -> None:
        if self.business_unit_id is not None and (
            self.business_unit is None or self.business_unit.tenant_id != self.tenant_id
        ):
            raise ValidationError({"business_unit": "Choose a business unit of the tenant."})


class ExternalClient(models.Model):
    """A client of the enterprise IdP registered as one of a tenant's service accounts: its
    client-credentials tokens act as that account in that tenant (role, business unit,
    revocation), instead of as a person named after their subject."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="external_clients")
    service_account = models.OneToOneField(
        ServiceAccount, on_delete=models.CASCADE, related_name="external_client"
    )
    issuer = models.CharField(max_length=300)
    client_id = models.CharField(
        max_length=255, help_text="The token's `client_id` claim, or its `sub`."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "issuer", "client_id"], name="unique_external_client"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.issuer} as {self.service_account}"
