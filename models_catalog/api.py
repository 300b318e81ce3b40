"""The catalogue API. Platform-wide endpoints (`/api/...`) are for platform administrators; the
tenant endpoints (`/t/<slug>/v1/catalog/...`) see their own tenant only, by construction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from identity.api_auth import IsPlatformAdmin, IsTenantAdmin, IsTenantPrincipal
from identity.principals import Principal
from kernel.errors import InvalidInput, NotFound
from kernel.openapi import error_responses
from models_catalog import serializers as s
from models_catalog.models import CustomModel, FoundationModel, ModelGrant, Provider
from models_catalog.selectors import (
    pending_requests,
    requests_of_tenant,
    usable_models,
)
from models_catalog.services import access, catalog, registry
from tenants.models import Tenant


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _model(name: str) -> FoundationModel:
    model = FoundationModel.objects.select_related("provider").filter(name=name).first()
    if model is None:
        raise NotFound(f"The catalogue has no model called {name!r}.")
    return model


def _custom_model(name: str) -> CustomModel:
    model = CustomModel.objects.filter(name=name).first()
    if model is None:
        raise NotFound(f"No custom model called {name!r}.")
    return model


def _actor(request: Request) -> str:
    return str(request.user.name)


# --- Platform administrators -----------------------------------------------------------------


@extend_schema(responses=s.ModelSerializer(many=True), tags=["catalogue"])
@api_view(["GET"])
@permission_classes([IsPlatformAdmin])
def catalogue(request: Request) -> Response:
    models = FoundationModel.objects.select_related("provider").prefetch_related("prices")
    return Response(s.ModelSerializer(models, many=True).data)


@extend_schema(
    request=s.NewPriceSerializer,
    responses={201: s.PriceSerializer, **error_responses(404, 409)},
    tags=["catalogue"],
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def add_price(request: Request) -> Response:
    data = _valid(s.NewPriceSerializer, request.data)
    price = catalog.set_price(
        model=_model(data["model"]),
        input_per_million=data["input_per_million"],
        output_per_million=data["output_per_million"],
        currency=data["currency"],
        effective_from=data.get("effective_from"),
        source=data["source"],
        actor=_actor(request),
        cached_input_per_million=data.get("cached_input_per_million"),
        cache_write_per_million=data.get("cache_write_per_million"),
    )
    return Response(s.PriceSerializer(price).data, status=201)


@extend_schema(
    request=s.LifecycleSerializer,
    responses={200: s.ModelSerializer, **error_responses(404)},
    tags=["catalogue"],
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def set_lifecycle(request: Request) -> Response:
    data = _valid(s.LifecycleSerializer, request.data)
    model = _model(data["model"])
    model = catalog.set_lifecycle(
        model=model,
        # A date not sent stays as it is (send null to clear it).
        deprecated_at=data.get("deprecated_at", model.deprecated_at),
        end_of_life_at=data.get("end_of_life_at", model.end_of_life_at),
        actor=_actor(request),
    )
    return Response(s.ModelSerializer(model).data)


@extend_schema(responses=s.AccessRequestSerializer(many=True), tags=["access"])
@api_view(["GET"])
@permission_classes([IsPlatformAdmin])
def request_queue(request: Request) -> Response:
    return Response(s.AccessRequestSerializer(pending_requests(), many=True).data)


@extend_schema(
    request=s.DecisionSerializer,
    responses={200: s.GrantSerializer, **error_responses(409)},
    tags=["access"],
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def approve(request: Request, request_id: int) -> Response:
    data = _valid(s.DecisionSerializer, request.data)
    grant = access.approve_request(
        request_id=request_id,
        actor=_actor(request),
        comment=data["comment"],
        expires_at=data.get("expires_at"),
    )
    return Response(s.GrantSerializer(grant).data)


@extend_schema(
    request=s.RejectionSerializer,
    responses={200: s.AccessRequestSerializer, **error_responses(409)},
    tags=["access"],
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def reject(request: Request, request_id: int) -> Response:
    data = _valid(s.RejectionSerializer, request.data)
    decided = access.reject_request(
        request_id=request_id, actor=_actor(request), comment=data["comment"]
    )
    return Response(s.AccessRequestSerializer(decided).data)


@extend_schema(methods=["GET"], responses=s.GrantSerializer(many=True), tags=["access"])
@extend_schema(
    methods=["POST"],
    request=s.NewGrantSerializer,
    responses={201: s.GrantSerializer(many=True), **error_responses(404, 409)},
    tags=["access"],
)
@api_view(["GET", "POST"])
@permission_classes([IsPlatformAdmin])
def grants(request: Request) -> Response:
    if request.method == "GET":
        active = ModelGrant.objects.filter(revoked_at__isnull=True).select_related(
            "model", "tenant", "business_unit"
        )
        return Response(s.GrantSerializer(active, many=True).data)
    data = _valid(s.NewGrantSerializer, request.data)
    chosen: list[Tenant] | None = None
    if data["tenants"] != ["*"]:
        chosen = list(Tenant.objects.exclude(schema_name="public").filter(slug__in=data["tenants"]))
        missing = set(data["tenants"]) - {tenant.slug for tenant in chosen}
        if missing:
            raise NotFound(f"No tenant called {', '.join(sorted(missing))}.")
    made = access.grant_model(
        model_name=data["model"], tenants=chosen, actor=_actor(request),
        expires_at=data.get("expires_at"),
    )  # fmt: skip
    return Response(s.GrantSerializer(made, many=True).data, status=201)


@extend_schema(
    request=None, responses={200: s.GrantSerializer, **error_responses(409)}, tags=["access"]
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def revoke(request: Request, grant_id: int) -> Response:
    grant = access.revoke_grant(grant_id=grant_id, actor=_actor(request))
    return Response(s.GrantSerializer(grant).data)


@extend_schema(methods=["GET"], responses=s.CustomModelSerializer(many=True), tags=["registry"])
@extend_schema(
    methods=["POST"],
    request=s.NewCustomModelSerializer,
    responses={201: s.CustomModelSerializer, **error_responses(409)},
    tags=["registry"],
)
@api_view(["GET", "POST"])
@permission_classes([IsPlatformAdmin])
def custom_models(request: Request) -> Response:
    if request.method == "GET":
        found = CustomModel.objects.select_related("entry__provider").prefetch_related(
            "aliases__version"
        )
        return Response(s.CustomModelSerializer(found, many=True).data)
    data = _valid(s.NewCustomModelSerializer, request.data)
    provider = Provider.objects.filter(name=data["provider"]).first()
    if provider is None:
        raise InvalidInput(f"No provider called {data['provider']!r}.")
    model = registry.register_custom_model(
        name=data["name"], provider=provider, display_name=data["display_name"],
        modality=data["modality"], description=data["description"], actor=_actor(request),
    )  # fmt: skip
    return Response(s.CustomModelSerializer(model).data, status=201)


@extend_schema(methods=["GET"], responses=s.VersionSerializer(many=True), tags=["registry"])
@extend_schema(
    methods=["POST"], request=s.NewVersionSerializer, responses={201: s.VersionSerializer},
    tags=["registry"],
)  # fmt: skip
@api_view(["GET", "POST"])
@permission_classes([IsPlatformAdmin])
def versions(request: Request, name: str) -> Response:
    model = _custom_model(name)
    if request.method == "GET":
        found = model.versions.select_related("base_model", "parent").prefetch_related("aliases")
        return Response(s.VersionSerializer(found, many=True).data)
    data = _valid(s.NewVersionSerializer, request.data)
    version = registry.register_version(
        custom_model=model,
        artifact_uri=data["artifact_uri"],
        serving_target=data["serving_target"],
        base_model_name=data.get("base_model"),
        parent_number=data.get("parent"),
        training_data=data["training_data"],
        hyperparameters=data["hyperparameters"],
        architecture=data["architecture"],
        evaluation_metrics=data["evaluation_metrics"],
        model_card=data["model_card"],
        actor=_actor(request),
    )
    return Response(s.VersionSerializer(version).data, status=201)


@extend_schema(request=None, responses={204: None}, tags=["registry"])
@api_view(["DELETE"])
@permission_classes([IsPlatformAdmin])
def delete_version(request: Request, name: str, number: int) -> Response:
    version = _custom_model(name).versions.filter(number=number).first()
    if version is None:
        raise NotFound(f"custom/{name} has no version {number}.")
    registry.delete_version(version=version, actor=_actor(request))
    return Response(status=204)


@extend_schema(
    request=s.DeploySerializer,
    responses={200: s.AliasSerializer, **error_responses(409)},
    tags=["registry"],
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def deploy(request: Request, name: str) -> Response:
    data = _valid(s.DeploySerializer, request.data)
    alias = registry.deploy(
        custom_model=_custom_model(name), alias_name=data["alias"],
        version_number=data["version"], actor=_actor(request),
    )  # fmt: skip
    return Response(s.AliasSerializer(alias).data)


@extend_schema(
    request=s.RollbackSerializer,
    responses={200: s.AliasSerializer, **error_responses(409)},
    tags=["registry"],
)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
def rollback(request: Request, name: str) -> Response:
    data = _valid(s.RollbackSerializer, request.data)
    alias = registry.rollback(
        custom_model=_custom_model(name), alias_name=data["alias"], actor=_actor(request)
    )
    return Response(s.AliasSerializer(alias).data)


# --- A tenant's own view ---------------------------------------------------------------------


@extend_schema(responses=s.TenantModelSerializer(many=True), tags=["tenant catalogue"])
@api_view(["GET"])
@permission_classes([IsTenantPrincipal])
def tenant_catalogue(request: Request) -> Response:
    """Every catalogue model that is not retired, each marked usable or not for the caller
    (the tenant's grants and those of the caller's business units)."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    now = timezone.now()
    principal: Principal = request.user  # type: ignore[assignment]  # IsTenantPrincipal
    usable = usable_models(tenant, now, unit_ids=principal.unit_ids)
    usable_ids = set(usable.values_list("pk", flat=True))
    models = FoundationModel.objects.select_related("provider").exclude(end_of_life_at__lte=now)
    context = {"usable_ids": usable_ids, "now": now}
    return Response(s.TenantModelSerializer(models, many=True, context=context).data)


@extend_schema(
    methods=["GET"], responses=s.AccessRequestSerializer(many=True), tags=["tenant catalogue"]
)
@extend_schema(
    methods=["POST"],
    request=s.NewAccessRequestSerializer,
    responses={201: s.AccessRequestSerializer, **error_responses(404, 409)},
    tags=["tenant catalogue"],
)
@api_view(["GET", "POST"])
@permission_classes([IsTenantPrincipal])
def tenant_requests(request: Request) -> Response:
    tenant = request._request.tenant  # type: ignore[attr-defined]
    if request.method == "GET":
        return Response(s.AccessRequestSerializer(requests_of_tenant(tenant), many=True).data)
    if not IsTenantAdmin().has_permission(request, None):
        raise PermissionDenied(IsTenantAdmin.message)
    data = _valid(s.NewAccessRequestSerializer, request.data)
    made = access.request_access(
        tenant=tenant,
        model_name=data["model"],
        justification=data["justification"],
        requester=_requester(request),
        actor=_actor(request),
        business_unit_id=data.get("business_unit_id"),
    )
    return Response(s.AccessRequestSerializer(made).data, status=201)


def _requester(request: Request) -> Any:
    if request.user.kind != "user":
        return None  # a service account: its name is in the audit entry
    return get_user_model().objects.get(pk=request.user.id)
