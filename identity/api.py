"""The identity part of the tenant API: who am I, and the tenant's service accounts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from identity.api_auth import IsTenantAdmin
from identity.principals import Principal
from identity.selectors import active_service_accounts, client_of, service_account_of
from identity.services import (
    create_service_account,
    register_external_client,
    revoke_service_account,
)
from kernel.errors import NotFound
from tenants.models import Role, ServiceAccount
from tenants.selectors import business_units_of


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


class ServiceAccountSerializer(serializers.Serializer):
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


class NewServiceAccountSerializer(serializers.Serializer):
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


@extend_schema(request=None, responses={204: None}, tags=["identity"])
@api_view(["DELETE"])
@permission_classes([IsTenantAdmin])
def service_account(request: Request, account_id: int) -> Response:
    """Revoke a service account: its tokens are refused from now on."""
    account = service_account_of(request._request.tenant, account_id)  # type: ignore[attr-defined]
    if account is None:
        raise NotFound("This tenant has no such service account.")
    revoke_service_account(account=account, actor=_principal(request).name)
    return Response(status=204)
