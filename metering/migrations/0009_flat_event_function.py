"""The recorder hands queued events to PostgreSQL as JSON text (#16: no parsing in Python);
`metering_flat_event` lets through only an object of plain values, so an event whose value is
an object or an array is refused (and set aside) instead of stored as the JSON of that value."""

from django.db import migrations

FLAT_EVENT = """
CREATE OR REPLACE FUNCTION metering_flat_event(event jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF jsonb_typeof(event) <> 'object' THEN
        RAISE EXCEPTION 'a usage event is a JSON object, not a JSON %', jsonb_typeof(event)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_path_exists(event, '$.* ? (@.type() == "object" || @.type() == "array")') THEN
        RAISE EXCEPTION 'usage event %: a value is an object or an array, which no column holds',
            event->>'request_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN event;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0008_usage_event_fewer_indexes"),
    ]

    operations = [
        migrations.RunSQL(FLAT_EVENT, "DROP FUNCTION IF EXISTS metering_flat_event(jsonb);"),
    ]
