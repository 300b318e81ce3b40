from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_chunk_last_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="knowledgebase",
            name="answering",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
