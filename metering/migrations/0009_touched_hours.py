"""The hours that received usage events, marked by a statement-level trigger in the events'
own transaction (`metering.models.TouchedHour`): the rollups found new events only by their
`created_at`, stamped by the writer's clock before its COPY; an event whose writer's clock ran
behind, or whose transaction committed after a rollup had moved past its stamp, was never
rolled up."""

from django.db import migrations, models

MARK_HOURS = """
CREATE FUNCTION metering_mark_touched_hours() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metering_touchedhour (hour)
    SELECT DISTINCT date_trunc('hour', started_at, 'UTC') FROM new_events;
    RETURN NULL;
END
$$;
CREATE TRIGGER usage_events_mark_hours AFTER INSERT ON metering_usageevent
REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
EXECUTE FUNCTION metering_mark_touched_hours();
"""
UNMARK_HOURS = """
DROP TRIGGER usage_events_mark_hours ON metering_usageevent;
DROP FUNCTION metering_mark_touched_hours();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0008_usage_event_fewer_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="TouchedHour",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),  # fmt: skip
                ("hour", models.DateTimeField()),
            ],
        ),
        migrations.RunSQL(MARK_HOURS, UNMARK_HOURS),
    ]
