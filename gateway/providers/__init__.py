"""Which provider serves a catalogue model."""

from __future__ import annotations

import threading
from typing import Any

from gateway.errors import ProviderUnsupported
from gateway.providers.local import LOCAL_CHAT, LOCAL_EMBEDDINGS
from gateway.providers.openai_compatible import OpenAICompatibleProvider
from models_catalog.models import FoundationModel, Modality, ModelVersion, Provider

_remote: dict[tuple[int, str, str], OpenAICompatibleProvider] = {}
_lock = threading.Lock()


def provider_for(model: FoundationModel, version: ModelVersion | None = None) -> Any:
    """The provider object that serves `model` (a custom model's `version` names its target)."""
    provider = model.provider
    if provider.kind == Provider.Kind.LOCAL:
        return LOCAL_EMBEDDINGS if model.modality == Modality.EMBEDDING else LOCAL_CHAT
    if provider.kind == Provider.Kind.OPENAI_COMPATIBLE:
        target = version.serving_target if version else model.provider_model_id
        key = (provider.pk, provider.endpoint_url, target)
        with _lock:
            if key not in _remote:
                _remote[key] = OpenAICompatibleProvider(
                    base_url=provider.endpoint_url,
                    model_id=target,
                    api_key_env=provider.credentials_env,
                )
            return _remote[key]
    raise ProviderUnsupported(
        f"{model.name} is served by {provider.get_kind_display()}, which this gateway does not "
        "call yet. Use a local or OpenAI-compatible model."
    )
