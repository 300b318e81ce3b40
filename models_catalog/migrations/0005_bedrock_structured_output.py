"""Claude 3 and Nova on Bedrock answer in JSON (response_format) through a forced tool."""

from django.db import migrations


def bedrock_structured_output(apps, schema_editor):  # type: ignore[no-untyped-def]
    from models_catalog.capabilities import apply_known_structured_output

    apply_known_structured_output(apps.get_model("models_catalog", "FoundationModel"))


class Migration(migrations.Migration):
    dependencies = [
        ("models_catalog", "0004_model_capabilities"),
    ]

    operations = [
        migrations.RunPython(bedrock_structured_output, migrations.RunPython.noop),
    ]
