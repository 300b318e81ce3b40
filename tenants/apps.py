from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from tenants.signals import ensure_platform_tenant

        post_migrate.connect(ensure_platform_tenant, sender=self)
