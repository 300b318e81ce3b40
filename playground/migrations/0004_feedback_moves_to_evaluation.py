"""Verdicts move from the playground to evaluation (`evaluation.0003`): the models leave the
playground's state only; their tables and rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("playground", "0003_responsefeedback_answer_responsefeedback_model_and_more"),
        ("evaluation", "0003_feedback_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Feedback"),
                migrations.DeleteModel(name="ResponseFeedback"),
            ],
        ),
    ]
