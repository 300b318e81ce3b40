"""Whether a provider answers: the platform's "Test connection" asks its endpoint for the
models it serves (the cheapest call each kind has), with the configured credentials."""

from __future__ import annotations

import os
from dataclasses import dataclass

import boto3
import httpx
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from models_catalog.models import Provider

TIMEOUT_SECONDS = 5.0
SHOWN_MODELS = 5


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of a connection test, in words a platform administrator can act on."""

    ok: bool
    summary: str
    models: tuple[str, ...] = ()


def check_connection(provider: Provider) -> ConnectionCheck:
    """Call the provider's endpoint once (list its models) and say what happened."""
    if provider.kind == Provider.Kind.LOCAL:
        return ConnectionCheck(True, "Local models run in this process: nothing to reach.")
    if provider.kind == Provider.Kind.OPENAI_COMPATIBLE:
        return _check_openai_compatible(provider)
    return _check_aws(provider)


def _check_openai_compatible(provider: Provider) -> ConnectionCheck:
    if not provider.endpoint_url:
        return ConnectionCheck(False, "No endpoint URL: set the server's base URL first.")
    headers = {}
    if provider.credentials_env:
        variable = f"{provider.credentials_env}_API_KEY"
        key = os.environ.get(variable)
        if not key:
            return ConnectionCheck(False, f"Not configured: set {variable} in the environment.")
        headers["Authorization"] = f"Bearer {key}"
    url = f"{provider.endpoint_url.rstrip('/')}/models"
    try:
        # Through the proxy HTTP(S)_PROXY / NO_PROXY choose, as the gateway's calls go.
        answer = httpx.get(url, headers=headers, timeout=TIMEOUT_SECONDS, trust_env=True)
    except httpx.HTTPError as error:
        return ConnectionCheck(False, f"Could not reach {url}: {error or type(error).__name__}.")
    if answer.status_code in (401, 403):
        return ConnectionCheck(False, f"{url} refused the credentials ({answer.status_code}).")
    if answer.status_code != 200:
        return ConnectionCheck(False, f"{url} answered {answer.status_code}.")
    try:
        listed = [str(item["id"]) for item in answer.json().get("data", [])]
    except (ValueError, AttributeError, KeyError, TypeError):
        return ConnectionCheck(False, f"{url} answered, but not with an OpenAI model list.")
    return _reached(listed)


def _check_aws(provider: Provider) -> ConnectionCheck:
    credentials: dict[str, str] = {}
    if provider.credentials_env:
        prefix = provider.credentials_env
        key_id = os.environ.get(f"{prefix}_ACCESS_KEY_ID")
        secret = os.environ.get(f"{prefix}_SECRET_ACCESS_KEY")
        if not key_id or not secret:
            return ConnectionCheck(
                False,
                f"Not configured: set {prefix}_ACCESS_KEY_ID and {prefix}_SECRET_ACCESS_KEY "
                "in the environment.",
            )
        credentials = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
        if token := os.environ.get(f"{prefix}_SESSION_TOKEN"):
            credentials["aws_session_token"] = token
    service = "bedrock" if provider.kind == Provider.Kind.BEDROCK else "sagemaker"
    config = Config(
        retries={"total_max_attempts": 1},
        connect_timeout=TIMEOUT_SECONDS,
        read_timeout=TIMEOUT_SECONDS,
    )
    try:
        client = boto3.session.Session(**credentials).client(
            service,
            region_name=provider.region or "us-east-1",
            endpoint_url=provider.endpoint_url or None,
            config=config,
        )
        if service == "bedrock":
            found = client.list_foundation_models().get("modelSummaries", [])
            listed = [str(item.get("modelId", "")) for item in found]
        else:
            found = client.list_endpoints(MaxResults=SHOWN_MODELS * 2).get("Endpoints", [])
            listed = [str(item.get("EndpointName", "")) for item in found]
    except ClientError as error:
        detail = error.response.get("Error", {})
        return ConnectionCheck(
            False, f"AWS refused: {detail.get('Code', '?')}: {detail.get('Message', '')}"
        )
    except BotoCoreError as error:
        return ConnectionCheck(False, f"Could not reach AWS {service}: {error}")
    return _reached(listed)


def _reached(listed: list[str]) -> ConnectionCheck:
    shown = ", ".join(listed[:SHOWN_MODELS]) + (" …" if len(listed) > SHOWN_MODELS else "")
    count = f"{len(listed)} model{'s' if len(listed) != 1 else ''}"
    return ConnectionCheck(
        True, f"Connected: {count} listed{': ' + shown if listed else ''}.", tuple(listed)
    )
