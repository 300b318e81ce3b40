"""Fixtures of the metering tests: a loopback S3 (moto, in server mode, over real HTTP)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from portal.embedded import free_loopback_port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_loopback_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client of the loopback S3, with the export pointed at it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings.USAGE_EXPORT_ENDPOINT_URL = s3_endpoint
    settings.USAGE_EXPORT_REGION = "us-east-1"
    settings.USAGE_EXPORT_PREFIX = "finance"
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(s3: Any, settings: Any) -> str:
    name = f"finance-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    settings.USAGE_EXPORT_BUCKET = name
    return name
