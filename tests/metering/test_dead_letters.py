"""One event the table refuses never wedges the recorder: the good events queued with it are
recorded, the bad one is set aside (a dead letter, counted on /metrics), and once mended it is
replayed."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from metering.models import UsageDeadLetter, UsageEvent
from metering.usage_queue import queued_usage, record_queued_usage
from tests.metering.events import queue, queued_event

pytestmark = pytest.mark.django_db(transaction=True)

TENANT = SimpleNamespace(pk=987_654, slug="dead-letters")


def queued(**fields: Any) -> dict[str, Any]:
    """A usage event as the gateway queues it."""
    return queued_event(TENANT, **fields)


def waiting_on_metrics() -> float:
    metrics = Client().get("/metrics").content.decode()
    return float(re.search(r"^atrium_usage_dead_letters (\S+)$", metrics, re.MULTILINE)[1])


@pytest.mark.parametrize(
    "bad",
    [{"input_tokens": 3_000_000_000}, {"principal_name": "nul\x00"}],  # past int4; NUL in text
)
def test_a_poison_event_is_set_aside_and_the_others_are_recorded(capsys, bad) -> None:
    record_queued_usage()  # what earlier tests left queued
    good = [queued() for _ in range(100)]
    poison = queued(**bad)
    queue([*good[:57], poison, *good[57:]])

    assert record_queued_usage() == 101

    recorded = UsageEvent.objects.unscoped().filter(tenant_id=TENANT.pk)
    assert set(recorded.values_list("request_id", flat=True)) == {e["request_id"] for e in good}
    (letter,) = UsageDeadLetter.objects.all()
    assert letter.request_id == poison["request_id"] and letter.tenant_id == TENANT.pk
    assert letter.error
    assert queued_usage() == 0 and waiting_on_metrics() == 1
    call_command("usage_dead_letters")
    assert poison["request_id"] in capsys.readouterr().out

    later = queued()
    queue([later])  # the recorder keeps going
    assert record_queued_usage() == 1
    assert recorded.filter(request_id=later["request_id"]).exists()

    payload = json.loads(letter.payload)
    payload.update(input_tokens=3000, principal_name="alice")  # mended, as in the admin
    UsageDeadLetter.objects.filter(pk=letter.pk).update(payload=json.dumps(payload))
    call_command("usage_dead_letters", "--replay")
    assert recorded.get(request_id=poison["request_id"]).input_tokens == 3000
    assert waiting_on_metrics() == 0
    call_command("usage_dead_letters", "--replay")  # nothing left: nothing counted twice
    assert recorded.filter(request_id=poison["request_id"]).count() == 1
