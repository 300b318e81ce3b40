"""Prometheus metrics of the gateway: calls, latency and tokens by tenant and model. With several
worker processes, set PROMETHEUS_MULTIPROC_DIR and each process's samples are added up."""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from metering.selectors import dead_letters_waiting
from metering.usage_queue import queued_usage

CALLS = Counter(
    "atrium_gateway_calls_total", "Model calls through the gateway.",
    ["tenant", "model", "operation", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "atrium_gateway_call_seconds", "Time from request to the last byte of the answer.",
    ["tenant", "model", "operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)  # fmt: skip
USAGE_QUEUE = Gauge(
    "atrium_usage_queue_length", "Usage events waiting in Redis for the recorder (a growing "
    "number means the beat task or its worker is down).", multiprocess_mode="max",
)  # fmt: skip
DEAD_LETTERS = Gauge(
    "atrium_usage_dead_letters", "Usage events the recorder could not write and set aside (not "
    "replayed yet): see `manage.py usage_dead_letters`.", multiprocess_mode="max",
)  # fmt: skip
TOKENS = Counter(
    "atrium_gateway_tokens_total", "Tokens in and out, as charged.",
    ["tenant", "model", "direction"],
)  # fmt: skip

USAGE_ANOMALIES = Counter(
    "atrium_gateway_usage_anomalies_total", "Calls whose provider reported usage that cannot be "
    "true (negative, or far past the model's window): charged at the gateway's estimate.",
    ["tenant", "model"],
)  # fmt: skip


def observe(*, tenant: str, model: str, operation: str, status: str, seconds: float,
            input_tokens: int, output_tokens: int, anomalous: bool = False) -> None:  # fmt: skip
    CALLS.labels(tenant, model, operation, status).inc()
    if anomalous:
        USAGE_ANOMALIES.labels(tenant, model).inc()
    LATENCY.labels(tenant, model, operation).observe(seconds)
    TOKENS.labels(tenant, model, "input").inc(input_tokens)
    TOKENS.labels(tenant, model, "output").inc(output_tokens)


def _allowed(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition; only for the networks in METRICS_ALLOWED_NETWORKS (tenant names
    are in the labels)."""
    if not _allowed(request):
        return HttpResponseForbidden("Metrics are served to the monitoring network only.")
    USAGE_QUEUE.set(queued_usage())
    DEAD_LETTERS.set(dead_letters_waiting())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
