"""Platform administration of tenants. Creation and deletion go through tenants.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from tenants.models import BusinessUnit, Domain, Membership, Tenant
from tenants.services import TenantError, create_tenant, delete_tenant, ensure_slug_available


class TenantCreationForm(forms.ModelForm):
    business_unit = forms.CharField(
        max_length=100, help_text="The tenant's first business unit, e.g. Retail Banking."
    )

    class Meta:
        model = Tenant
        fields = ["name", "slug", "cost_centre"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].strip().lower()
        try:
            ensure_slug_available(slug)
        except TenantError as error:
            raise ValidationError(str(error)) from error
        return slug


class BusinessUnitInline(admin.TabularInline):
    model = BusinessUnit
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["source", "created_at"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    readonly_fields = ["domain", "is_primary"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "schema_name", "cost_centre", "created_at"]
    search_fields = ["name", "slug", "cost_centre"]
    readonly_fields = ["schema_name", "created_at"]
    actions = None  # bulk delete would skip the per-tenant confirmation and the service

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = TenantCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Tenant | None = None) -> list[str]:
        if obj is None:
            return ["name", "slug", "cost_centre", "business_unit"]
        return ["name", "slug", "schema_name", "cost_centre", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Tenant | None = None) -> list[str]:
        if obj is None:
            return []
        return ["slug", "schema_name", "created_at"]

    def get_inlines(self, request: HttpRequest, obj: Tenant | None) -> list[type]:
        return [] if obj is None else [BusinessUnitInline, MembershipInline, DomainInline]

    def save_model(self, request: HttpRequest, obj: Tenant, form: forms.ModelForm, change: bool):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = create_tenant(
            slug=form.cleaned_data["slug"],
            name=form.cleaned_data["name"],
            business_unit=form.cleaned_data["business_unit"],
            cost_centre=form.cleaned_data.get("cost_centre", ""),
            actor=request.user.get_username(),
        )
        # The admin logs and redirects with `obj`: make it the row the service created.
        obj.pk = created.pk
        obj.schema_name = created.schema_name
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Tenant | None = None) -> bool:
        if obj is not None and obj.is_platform:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Tenant) -> None:
        # The admin's "Are you sure?" page, listing the schema's loss, is the explicit confirmation.
        delete_tenant(slug=obj.slug, confirm=obj.slug)
