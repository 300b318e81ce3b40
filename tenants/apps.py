from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from tenants.signals import ensure_platform_tenant, forget_request_schema

        post_migrate.connect(ensure_platform_tenant, sender=self)
        request_finished.connect(forget_request_schema, dispatch_uid="forget-request-schema")
