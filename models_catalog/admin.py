"""The catalogue in the Django admin: providers and models. Prices are added, never edited;
lifecycle dates go through the service so that they are audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from models_catalog.models import FoundationModel, ModelGrant, ModelPrice, Provider
from models_catalog.services.catalog import set_lifecycle


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "endpoint_url", "credentials_env"]


class PriceInline(admin.TabularInline):
    model = ModelPrice
    extra = 0
    fields = ["currency", "input_per_million", "output_per_million", "effective_from", "source"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a new price is a new row with its own effective date

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FoundationModel)
class FoundationModelAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "kind", "modality", "deprecated_at", "end_of_life_at"]
    list_filter = ["provider", "kind", "modality"]
    search_fields = ["name", "display_name"]
    inlines = [PriceInline]

    def save_model(
        self, request: HttpRequest, obj: FoundationModel, form: forms.ModelForm, change: bool
    ) -> None:
        lifecycle_changed = {"deprecated_at", "end_of_life_at"} & set(form.changed_data)
        if change and lifecycle_changed:
            deprecated_at, end_of_life_at = obj.deprecated_at, obj.end_of_life_at
            stored = FoundationModel.objects.get(pk=obj.pk)
            obj.deprecated_at, obj.end_of_life_at = stored.deprecated_at, stored.end_of_life_at
            super().save_model(request, obj, form, change)
            set_lifecycle(
                model=obj,
                deprecated_at=deprecated_at,
                end_of_life_at=end_of_life_at,
                actor=request.user.get_username(),
            )
            return
        super().save_model(request, obj, form, change)


@admin.register(ModelGrant)
class ModelGrantAdmin(admin.ModelAdmin):
    list_display = ["model", "tenant", "business_unit", "expires_at", "granted_by", "revoked_at"]
    list_filter = ["tenant", "model"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # grants are made from the catalogue page or the API, and audited

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
