# The Budget model moved here from metering; its table, metering_budget, stays as it was (state only).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("metering", "0002_budget_rollupwatermark_usagerollup_and_more"),
        ("tenants", "0004_membership_business_unit_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Budget",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("monthly_limit", models.DecimalField(decimal_places=2, max_digits=14)),
                        ("currency", models.CharField(max_length=3)),
                        (
                            "alert_thresholds",
                            models.JSONField(
                                default=list,
                                help_text=(
                                    "Percentages of the limit that raise an alert, "
                                    "e.g. [50, 80, 100]."
                                ),
                            ),
                        ),
                        (
                            "hard_limit",
                            models.BooleanField(
                                default=True,
                                help_text=(
                                    "Refuse calls that could pass the limit (else: alerts only)."
                                ),
                            ),
                        ),
                        ("updated_by", models.CharField(blank=True, max_length=200)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "business_unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="tenants.businessunit",
                            ),
                        ),
                        (
                            "tenant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="budgets",
                                to="tenants.tenant",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "metering_budget",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("tenant", "business_unit"),
                                name="one_budget_per_scope",
                                nulls_distinct=False,
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
