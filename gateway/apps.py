from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "gateway"
    verbose_name = "Gateway"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models import Model
        from django.db.models.signals import post_delete, post_save

        from budgets.models import Budget
        from guardrails.models import GuardrailPolicy
        from kernel.hot_cache import bump_generation
        from models_catalog import models as catalog
        from tenants.models import BusinessUnit, Domain, Membership, Tenant

        watched: list[type[Model]] = [
            catalog.Provider, catalog.FoundationModel, catalog.ModelPrice, catalog.ModelGrant,
            catalog.CustomModel, catalog.ModelVersion, catalog.ModelAlias, Membership, Tenant,
            Domain, Budget, GuardrailPolicy, BusinessUnit, get_user_model(),
        ]  # fmt: skip
        for model in watched:
            post_save.connect(bump_generation, sender=model, dispatch_uid=f"hot-{model._meta}")
            post_delete.connect(bump_generation, sender=model, dispatch_uid=f"hot-{model._meta}")
