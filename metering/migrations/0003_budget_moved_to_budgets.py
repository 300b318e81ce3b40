# The Budget model moved to the budgets app, which keeps its table (state only: nothing is dropped).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0002_budget_rollupwatermark_usagerollup_and_more"),
        ("budgets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Budget")],
            database_operations=[],
        ),
    ]
