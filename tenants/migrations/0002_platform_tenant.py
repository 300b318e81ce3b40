from django.db import migrations


def create_platform_tenant(apps, schema_editor):
    """The public schema is the platform's own tenant; subfolder routing needs its row."""
    Tenant = apps.get_model("tenants", "Tenant")
    Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": "Atrium platform", "slug": "platform"}
    )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(create_platform_tenant, migrations.RunPython.noop)]
