"""The catalogue in the Django admin: providers and models. Every save and delete goes through the
catalogue's services, so each is in the audit log once, by the signed-in administrator. Prices
are added, never edited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from models_catalog.models import FoundationModel, ModelGrant, ModelPrice, Provider
from models_catalog.services.catalog import (
    CatalogEntry,
    add_price,
    delete_catalog_entry,
    save_catalog_entry,
)


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes (one, or the selected ones) through the audited services."""

    def save_model(
        self, request: HttpRequest, obj: CatalogEntry, form: forms.ModelForm, change: bool
    ) -> None:
        save_catalog_entry(obj, actor=request.user.get_username())

    def delete_model(self, request: HttpRequest, obj: CatalogEntry) -> None:
        delete_catalog_entry(obj, actor=request.user.get_username())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Provider)
class ProviderAdmin(AuditedAdmin):
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
class FoundationModelAdmin(AuditedAdmin):
    list_display = ["name", "provider", "kind", "modality", "deprecated_at", "end_of_life_at"]
    list_filter = ["provider", "kind", "modality"]
    search_fields = ["name", "display_name"]
    inlines = [PriceInline]

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is not ModelPrice:
            super().save_formset(request, form, formset, change)
            return
        for price in formset.save(commit=False):  # new rows only: prices are never changed
            add_price(price, actor=request.user.get_username())


@admin.register(ModelGrant)
class ModelGrantAdmin(admin.ModelAdmin):
    list_display = ["model", "tenant", "business_unit", "expires_at", "granted_by", "revoked_at"]
    list_filter = ["tenant", "model"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # grants are made from the catalogue page or the API, and audited

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
