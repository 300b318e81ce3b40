"""Shapes of the catalogue API: input validation and output, no logic."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kernel.strict_input import StrictSerializer
from models_catalog.models import (
    AccessRequest,
    CustomModel,
    FoundationModel,
    ModelAlias,
    ModelGrant,
    ModelPrice,
    ModelVersion,
)
from models_catalog.selectors import price_at


class PriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelPrice
        fields = [
            "currency", "input_per_million", "output_per_million", "cached_input_per_million",
            "cache_write_per_million", "effective_from", "source",
        ]  # fmt: skip


class ModelSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.name")
    provider_kind = serializers.CharField(source="provider.kind")
    lifecycle = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()

    class Meta:
        model = FoundationModel
        fields = [
            "name", "display_name", "description", "kind", "provider", "provider_kind",
            "provider_model_id", "modality", "context_window", "max_output_tokens",
            "embedding_dimensions", "lifecycle", "deprecated_at", "end_of_life_at", "price",
            "supports_tools",
            "supports_parallel_tool_calls", "supports_tool_streaming", "supports_json_mode",
            "supports_json_schema", "supports_image_input", "optional_parameters",
            "extra_parameters", "embedding_dimension_choices",
        ]  # fmt: skip

    def get_lifecycle(self, model: FoundationModel) -> str:
        return str(model.lifecycle(self.context.get("now") or timezone.now()))

    @extend_schema_field(PriceSerializer(allow_null=True))
    def get_price(self, model: FoundationModel) -> dict[str, object] | None:
        price = price_at(model, self.context.get("now") or timezone.now())
        return PriceSerializer(price).data if price else None


class TenantModelSerializer(ModelSerializer):
    usable = serializers.SerializerMethodField()

    class Meta(ModelSerializer.Meta):
        fields = [*ModelSerializer.Meta.fields, "usable"]

    def get_usable(self, model: FoundationModel) -> bool:
        return model.pk in self.context["usable_ids"]


class NewPriceSerializer(StrictSerializer):
    model = serializers.CharField()
    currency = serializers.CharField(default=lambda: settings.BILLING_CURRENCY)
    input_per_million = serializers.CharField()
    output_per_million = serializers.CharField()
    cached_input_per_million = serializers.CharField(required=False, allow_null=True)
    cache_write_per_million = serializers.CharField(required=False, allow_null=True)
    effective_from = serializers.DateTimeField(required=False)
    source = serializers.CharField(required=False, default="", allow_blank=True)


class LifecycleSerializer(StrictSerializer):
    model = serializers.CharField()
    deprecated_at = serializers.DateTimeField(allow_null=True, required=False)
    end_of_life_at = serializers.DateTimeField(allow_null=True, required=False)


class AccessRequestSerializer(serializers.ModelSerializer):
    tenant = serializers.CharField(source="tenant.slug", read_only=True)
    model = serializers.CharField(source="model.name", read_only=True)
    business_unit = serializers.CharField(source="business_unit.name", default=None)
    requested_by = serializers.CharField(source="requested_by.username", default=None)

    class Meta:
        model = AccessRequest
        fields = [
            "id", "tenant", "business_unit", "model", "justification", "requested_by",
            "requested_at", "state", "decided_by", "decided_at", "decision_comment", "expires_at",
        ]  # fmt: skip


class NewAccessRequestSerializer(StrictSerializer):
    model = serializers.CharField()
    justification = serializers.CharField(allow_blank=True)
    business_unit_id = serializers.IntegerField(required=False, allow_null=True)


class RejectionSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, default="", allow_blank=True)


class DecisionSerializer(RejectionSerializer):
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class GrantSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.name")
    tenant = serializers.CharField(source="tenant.slug")
    business_unit = serializers.CharField(source="business_unit.name", default=None)

    class Meta:
        model = ModelGrant
        fields = [
            "id", "model", "tenant", "business_unit", "expires_at", "granted_by", "granted_at",
            "revoked_by", "revoked_at",
        ]  # fmt: skip


class NewGrantSerializer(StrictSerializer):
    model = serializers.CharField()
    tenants = serializers.ListField(
        child=serializers.CharField(), help_text='Tenant slugs, or ["*"] for every tenant.'
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class VersionSerializer(serializers.ModelSerializer):
    base_model = serializers.CharField(source="base_model.name", default=None)
    parent = serializers.IntegerField(source="parent.number", default=None)
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = ModelVersion
        fields = [
            "number", "artifact_uri", "serving_target", "base_model", "parent", "training_data",
            "hyperparameters", "architecture", "evaluation_metrics", "model_card",
            "registered_by", "registered_at", "aliases",
        ]  # fmt: skip


class NewVersionSerializer(StrictSerializer):
    artifact_uri = serializers.CharField()
    serving_target = serializers.CharField()
    base_model = serializers.CharField(required=False, allow_null=True)
    parent = serializers.IntegerField(required=False, allow_null=True)
    training_data = serializers.CharField(required=False, default="", allow_blank=True)
    hyperparameters = serializers.JSONField(required=False, default=dict)
    architecture = serializers.CharField(required=False, default="", allow_blank=True)
    evaluation_metrics = serializers.JSONField(required=False, default=dict)
    model_card = serializers.CharField(required=False, default="", allow_blank=True)


class AliasSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = ModelAlias
        fields = ["name", "version"]


class CustomModelSerializer(serializers.ModelSerializer):
    catalogue_name = serializers.CharField(source="entry.name")
    provider = serializers.CharField(source="entry.provider.name")
    aliases = AliasSerializer(many=True, read_only=True)

    class Meta:
        model = CustomModel
        fields = ["name", "catalogue_name", "provider", "description", "created_by",
                  "created_at", "aliases"]  # fmt: skip


class NewCustomModelSerializer(StrictSerializer):
    name = serializers.SlugField(max_length=100)
    provider = serializers.CharField()
    display_name = serializers.CharField(required=False, default="", allow_blank=True)
    modality = serializers.CharField(required=False, default="chat")
    description = serializers.CharField(required=False, default="", allow_blank=True)


class DeploySerializer(StrictSerializer):
    alias = serializers.CharField()
    version = serializers.IntegerField(min_value=1)


class RollbackSerializer(StrictSerializer):
    alias = serializers.CharField()
