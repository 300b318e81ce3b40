from django.db import migrations, models
from django.db.models import Max


def from_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The highest number still registered: the best known for numbers given before."""
    custom_models = apps.get_model("models_catalog", "CustomModel")
    for custom in custom_models.objects.annotate(highest=Max("versions__number")):
        custom_models.objects.filter(pk=custom.pk).update(last_version_number=custom.highest or 0)


class Migration(migrations.Migration):
    dependencies = [
        ("models_catalog", "0008_modality_rerank"),
    ]

    operations = [
        migrations.AddField(
            model_name="custommodel",
            name="last_version_number",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(from_versions, migrations.RunPython.noop),
    ]
