"""Each call shows in Prometheus metrics and in one structured log line."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client

from kernel.log_format import JsonFormatter
from tests.gateway.conftest import LOCAL_EMBEDDINGS

pytestmark = pytest.mark.django_db(transaction=True)


def test_calls_are_counted_in_metrics_and_logged_as_json(acme_client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="atrium.gateway")
    result = acme_client.embeddings.with_raw_response.create(model=LOCAL_EMBEDDINGS, input=["hi"])
    request_id = result.headers["X-Request-Id"]
    slug = acme_client.tenant.slug

    metrics = Client().get("/metrics").content.decode()
    line = next(row for row in metrics.splitlines()
                if row.startswith("atrium_gateway_calls_total{") and slug in row)  # fmt: skip
    assert 'model="local/all-minilm-l6-v2"' in line and 'status="ok"' in line
    assert (
        f'atrium_gateway_tokens_total{{direction="input",model="{LOCAL_EMBEDDINGS}",tenant="{slug}"}}'
        in metrics
    )
    assert re.search(r"^atrium_usage_queue_length \d+\.0$", metrics, re.MULTILINE)

    record = next(r for r in caplog.records if getattr(r, "request_id", None) == request_id)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["tenant"] == slug and entry["model"] == LOCAL_EMBEDDINGS
    assert entry["principal"] == "user:yuri" and entry["input_tokens"] > 0


def test_metrics_are_refused_outside_the_monitoring_network() -> None:
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 403
