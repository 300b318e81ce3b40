from django.apps import AppConfig


class ModelsCatalogConfig(AppConfig):
    name = "models_catalog"
    verbose_name = "Model catalogue"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from models_catalog.seed import seed_catalogue

        post_migrate.connect(seed_catalogue, sender=self)
