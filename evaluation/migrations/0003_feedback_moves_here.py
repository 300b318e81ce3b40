"""Verdicts move from the playground to evaluation: the models' state only. The tables keep
their names (`playground_feedback`, `playground_responsefeedback`) and their rows, in every
tenant schema, so nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_datasetitem_response_feedback_and_more"),
        ("playground", "0003_responsefeedback_answer_responsefeedback_model_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Feedback",
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
                        ("user_id", models.BigIntegerField()),
                        (
                            "rating",
                            models.SmallIntegerField(
                                choices=[(1, "Thumbs up"), (-1, "Thumbs down")]
                            ),
                        ),
                        ("comment", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "turn",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="feedback",
                                to="playground.turn",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "playground_feedback",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("turn", "user_id"), name="one_verdict_per_person"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ResponseFeedback",
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
                        ("request_id", models.CharField(max_length=64)),
                        ("principal_type", models.CharField(max_length=20)),
                        ("principal_id", models.BigIntegerField()),
                        ("principal_name", models.CharField(max_length=200)),
                        (
                            "rating",
                            models.SmallIntegerField(
                                choices=[(1, "Thumbs up"), (-1, "Thumbs down")]
                            ),
                        ),
                        ("comment", models.TextField(blank=True)),
                        ("prompt", models.TextField(blank=True)),
                        ("answer", models.TextField(blank=True)),
                        ("model", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "playground_responsefeedback",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("request_id", "principal_type", "principal_id"),
                                name="one_verdict_per_caller",
                            )
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="datasetitem",
                    name="feedback",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="evaluation.feedback",
                    ),
                ),
                migrations.AlterField(
                    model_name="datasetitem",
                    name="response_feedback",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="evaluation.responsefeedback",
                    ),
                ),
            ],
        ),
    ]
