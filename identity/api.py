"""The identity part of the tenant API: who am I, the tenant's service accounts, its business
units and which units its people and programs belong to."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from identity.api_auth import IsTenantAdmin, IsTenantAdminToChange
from identity.business_units import Assignee, assign_business_units
from identity.principals import Principal
from identity.selectors import (
    active_service_accounts,
    client_of,
    members_of,
    membership_of,
    service_account_of,
)
from identity.services import (
    create_service_account,
    register_external_client,
    revoke_service_account,
)
from kernel.errors import NotFound
from kernel.strict_input import StrictSerializer
from tenants.models import BusinessUnit, Role, ServiceAccount
from tenants.selectors import business_unit_of, business_units_of
from tenants.services import add_business_unit, change_business_unit


class WhoAmISerializer(serializers.Serializer):
    tenant = serializers.DictField(child=serializers.CharField())
    principal = serializers.DictField()
    role = serializers.CharField()
    business_unit = serializers.DictField(
        allow_null=True, help_text="Where this principal's usage is charged (null: the tenant)."
    )


def _principal(request: Request) -> Principal:
    return request.user  # type: ignore[return-value]  # set by BearerTokenAuthentication


@extend_schema(responses=WhoAmISerializer, tags=["identity"])
@api_view(["GET"])
def whoami(request: Request) -> Response:
    """The tenant, the principal, its role and business unit: proof that the token chain works
    end to end."""
    principal = _principal(request)
    tenant = request._request.tenant  # type: ignore[attr-defined]
    unit_id = principal.business_unit_id
    unit = business_units_of(tenant).filter(pk=unit_id).first() if unit_id else None
    return Response(
        {
            "tenant": {"slug": tenant.slug, "name": tenant.name},
            "principal": {"type": principal.kind, "id": principal.id, "name": principal.name},
            "role": principal.role,
            "business_unit": {"id": unit.pk, "name": unit.name} if unit else None,
        }
    )


class UnitNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UnitsOfSerializer(serializers.Serializer):
    """A principal's units: its default one and the extra ones it may charge per call."""

    business_unit = UnitNameSerializer(
        allow_null=True, help_text="Charged when a call names no unit (null: the tenant)."
    )
    extra_business_units = UnitNameSerializer(
        many=True, source="extra_business_units.all",
        help_text="Also chargeable, one call at a time, with the X-Atrium-Business-Unit header.",
    )  # fmt: skip


class ServiceAccountSerializer(UnitsOfSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    business_unit_id = serializers.IntegerField(allow_null=True)
    issuer = serializers.SerializerMethodField(help_text="The issuer of the tokens that act as it.")
    client_id = serializers.SerializerMethodField(help_text="Their `client_id` (or `sub`).")
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField()

    def get_issuer(self, account: ServiceAccount) -> str:
        return client_of(account)[0]

    def get_client_id(self, account: ServiceAccount) -> str:
        return client_of(account)[1]


class NewServiceAccountSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    business_unit_id = serializers.IntegerField(required=False, allow_null=True)
    external_client_id = serializers.CharField(
        required=False,
        max_length=255,
        help_text="A client-credentials client of the enterprise IdP (its tokens' `client_id` "
        "or `sub`) whose tokens act as this account; without it, Atrium's own provider issues "
        "a client id and a secret (answered once, as `client_secret`).",
    )


class CreatedServiceAccountSerializer(ServiceAccountSerializer):
    client_secret = serializers.CharField(required=False)


@extend_schema(
    request=NewServiceAccountSerializer,
    responses={200: ServiceAccountSerializer(many=True), 201: CreatedServiceAccountSerializer},
    tags=["identity"],
)
@api_view(["GET", "POST"])
@permission_classes([IsTenantAdmin])
def service_accounts(request: Request) -> Response:
    """The tenant's active service accounts; register one (ours, or an enterprise IdP's client)."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    if request.method == "GET":
        accounts = active_service_accounts(tenant)
        return Response(ServiceAccountSerializer(accounts, many=True).data)
    serializer = NewServiceAccountSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    external_client_id = data.pop("external_client_id", None)
    actor = _principal(request).name
    if external_client_id is not None:
        account = register_external_client(
            tenant=tenant, client_id=external_client_id, actor=actor, **data
        )
        return Response(ServiceAccountSerializer(account).data, status=201)
    account, secret = create_service_account(tenant=tenant, actor=actor, **data)
    body = {**ServiceAccountSerializer(account).data, "client_secret": secret}
    return Response(body, status=201)


class UnitsAssignmentSerializer(StrictSerializer):
    business_unit_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="The default unit (null: the tenant's)."
    )
    extra_business_unit_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=100,
        help_text="Units it may also charge per call, with the X-Atrium-Business-Unit header.",
    )  # fmt: skip


def _assigned(request: Request, assignee: Assignee) -> Assignee:
    """Apply a PATCH of units; a field left out keeps its value."""
    serializer = UnitsAssignmentSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    extras = data.get("extra_business_unit_ids")
    return assign_business_units(
        assignee=assignee,
        business_unit_id=data.get("business_unit_id", assignee.business_unit_id),
        extra_business_unit_ids=(
            extras
            if extras is not None
            else assignee.extra_business_units.values_list("pk", flat=True)
        ),
        actor=_principal(request).name,
    )


@extend_schema(
    methods=["PATCH"], request=UnitsAssignmentSerializer, responses=ServiceAccountSerializer,
    tags=["identity"],
)  # fmt: skip
@extend_schema(methods=["DELETE"], request=None, responses={204: None}, tags=["identity"])
@api_view(["PATCH", "DELETE"])
@permission_classes([IsTenantAdmin])
def service_account(request: Request, account_id: int) -> Response:
    """PATCH: the account's business units. DELETE: revoke it (its tokens are refused from now
    on)."""
    account = service_account_of(request._request.tenant, account_id)  # type: ignore[attr-defined]
    if account is None or not account.is_active:
        raise NotFound("This tenant has no such service account.")
    if request.method == "PATCH":
        return Response(ServiceAccountSerializer(_assigned(request, account)).data)
    revoke_service_account(account=account, actor=_principal(request).name)
    return Response(status=204)


# --- Business units and members ---------------------------------------------------------------


class BusinessUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cost_centre = serializers.CharField()
    archived = serializers.SerializerMethodField(help_text="Archived: nobody may charge it.")
    created_at = serializers.DateTimeField()
    archived_at = serializers.DateTimeField(allow_null=True)

    def get_archived(self, unit: BusinessUnit) -> bool:
        return not unit.is_active


class NewBusinessUnitSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    cost_centre = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class BusinessUnitChangeSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    cost_centre = serializers.CharField(max_length=40, required=False, allow_blank=True)
    archived = serializers.BooleanField(
        required=False,
        help_text="true: archive (refused while it is someone's unit); false: restore.",
    )


@extend_schema(
    request=NewBusinessUnitSerializer,
    responses={200: BusinessUnitSerializer(many=True), 201: BusinessUnitSerializer},
    tags=["identity"],
)
@api_view(["GET", "POST"])
@permission_classes([IsTenantAdminToChange])
def business_units(request: Request) -> Response:
    """The tenant's business units, archived ones included (any principal); create one
    (administrators)."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    if request.method == "GET":
        return Response(BusinessUnitSerializer(business_units_of(tenant), many=True).data)
    serializer = NewBusinessUnitSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    unit = add_business_unit(
        tenant=tenant, actor=_principal(request).name, **serializer.validated_data
    )
    return Response(BusinessUnitSerializer(unit).data, status=201)


@extend_schema(
    request=BusinessUnitChangeSerializer, responses=BusinessUnitSerializer, tags=["identity"]
)
@api_view(["GET", "PATCH"])
@permission_classes([IsTenantAdminToChange])
def business_unit(request: Request, unit_id: int) -> Response:
    """One business unit (any principal); rename, re-cost or archive/restore it
    (administrators)."""
    unit = business_unit_of(request._request.tenant, unit_id)  # type: ignore[attr-defined]
    if unit is None:
        raise NotFound("This tenant has no such business unit.")
    if request.method == "PATCH":
        serializer = BusinessUnitChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change_business_unit(unit=unit, actor=_principal(request).name, **serializer.validated_data)
    return Response(BusinessUnitSerializer(unit).data)


class MemberSerializer(UnitsOfSerializer):
    id = serializers.IntegerField(help_text="The membership's id.")
    user = serializers.CharField(source="user.get_username")
    email = serializers.EmailField(source="user.email")
    role = serializers.CharField()
    managed_by = serializers.CharField(
        source="source", help_text="manual, or idp (the role comes from the IdP's groups)."
    )
    units_from_idp = serializers.BooleanField(
        help_text="The units come from the IdP's groups (change them there)."
    )


@extend_schema(responses=MemberSerializer(many=True), tags=["identity"])
@api_view(["GET"])
@permission_classes([IsTenantAdmin])
def members(request: Request) -> Response:
    """The tenant's people, their roles and business units."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    listed = (
        members_of(tenant).select_related("business_unit").prefetch_related("extra_business_units")
    )
    return Response(MemberSerializer(listed, many=True).data)


@extend_schema(request=UnitsAssignmentSerializer, responses=MemberSerializer, tags=["identity"])
@api_view(["PATCH"])
@permission_classes([IsTenantAdmin])
def member(request: Request, membership_id: int) -> Response:
    """Set a person's business units (default and extra)."""
    membership = membership_of(request._request.tenant, membership_id)  # type: ignore[attr-defined]
    if membership is None:
        raise NotFound("This tenant has no such member.")
    return Response(MemberSerializer(_assigned(request, membership)).data)
