"""Only the indexes reads use (#16): tenant_id alone and model_name (with its pattern index) were
never read by themselves, created_at grows with the table (a BRIN index), and request_id keeps
its unique index under a constraint's name but loses its pattern-matching twin. The unique
index is renamed, not rebuilt: no long lock on a large table."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0007_usage_refused_and_model_version"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="usageevent",
            name="metering_us_created_3ef4ee_idx",
        ),
        migrations.AlterField(
            model_name="usageevent",
            name="model_name",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="usageevent",
            name="tenant_id",
            field=models.BigIntegerField(),
        ),
        migrations.AddIndex(
            model_name="usageevent",
            index=django.contrib.postgres.indexes.BrinIndex(
                fields=["created_at"], name="usage_created_brin"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="usageevent",
                    name="request_id",
                    field=models.CharField(max_length=64),
                ),
                migrations.AddConstraint(
                    model_name="usageevent",
                    constraint=models.UniqueConstraint(
                        fields=("request_id",), name="one_usage_event_per_request"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE metering_usageevent RENAME CONSTRAINT "
                        "metering_usageevent_request_id_key TO one_usage_event_per_request",
                        "DROP INDEX IF EXISTS metering_usageevent_request_id_a5b3c4fa_like",
                    ],
                    reverse_sql=[
                        "CREATE INDEX metering_usageevent_request_id_a5b3c4fa_like "
                        "ON metering_usageevent (request_id varchar_pattern_ops)",
                        "ALTER TABLE metering_usageevent RENAME CONSTRAINT "
                        "one_usage_event_per_request TO metering_usageevent_request_id_key",
                    ],
                ),
            ],
        ),
    ]
