"""Which provider serves a catalogue model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from models_catalog.models import FoundationModel, Modality, ModelVersion, Provider
from providers.aws import AwsClient, BedrockProvider, SageMakerProvider
from providers.errors import ProviderUnsupported
from providers.local import LOCAL_CHAT, LOCAL_EMBEDDINGS
from providers.openai_compatible import OpenAICompatibleProvider

T = TypeVar("T")

_made: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()


def _once(key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """Provider objects hold pooled connections: one per provider settings and target."""
    with _lock:
        if key not in _made:
            _made[key] = make()
        made: T = _made[key]  # each key's object comes from one `make`
        return made


def aws_client(provider: Provider, service: str) -> AwsClient:
    return _once(
        ("aws", service, provider.pk, provider.region, provider.endpoint_url,
         provider.credentials_env),
        lambda: AwsClient(service, region=provider.region, endpoint_url=provider.endpoint_url,
                          credentials_env=provider.credentials_env),
    )  # fmt: skip


def provider_for(model: FoundationModel, version: ModelVersion | None = None) -> Any:
    """The provider object that serves `model` (a custom model's `version` names its target)."""
    provider = model.provider
    target = version.serving_target if version else model.provider_model_id
    if provider.kind == Provider.Kind.LOCAL:
        return LOCAL_EMBEDDINGS if model.modality == Modality.EMBEDDING else LOCAL_CHAT
    if provider.kind == Provider.Kind.OPENAI_COMPATIBLE:
        return _once(
            ("openai", provider.pk, provider.endpoint_url, provider.credentials_env, target),
            lambda: OpenAICompatibleProvider(
                base_url=provider.endpoint_url, model_id=target,
                api_key_env=provider.credentials_env,
            ),
        )  # fmt: skip
    if provider.kind == Provider.Kind.BEDROCK:
        client = aws_client(provider, "bedrock-runtime")
        return _once(("bedrock", id(client), target), lambda: BedrockProvider(client, target))
    if provider.kind == Provider.Kind.SAGEMAKER:
        client = aws_client(provider, "sagemaker-runtime")
        return _once(("sagemaker", id(client), target), lambda: SageMakerProvider(client, target))
    raise ProviderUnsupported(f"{model.name}: providers of kind {provider.kind} are not supported.")
