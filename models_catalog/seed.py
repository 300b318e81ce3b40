"""The seeded catalogue: the local models and a realistic Amazon Bedrock catalogue with prices.

Applied after every migrate (and after a test database is flushed): what exists is left alone,
so prices and dates an administrator changed stay as they are."""

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connections

from models_catalog.capabilities import capabilities_of

PRICES = Path(__file__).resolve().parent / "data" / "bedrock_prices.csv"

# Context window and maximum output tokens, from the providers' model cards.
LIMITS = {
    "anthropic.claude-3-5-sonnet-20240620-v1:0": (200_000, 8192),
    "anthropic.claude-3-haiku-20240307-v1:0": (200_000, 4096),
    "anthropic.claude-3-opus-20240229-v1:0": (200_000, 4096),
    "amazon.nova-pro-v1:0": (300_000, 5120),
    "amazon.nova-lite-v1:0": (300_000, 5120),
    "amazon.nova-micro-v1:0": (128_000, 5120),
    "amazon.titan-text-express-v1": (8192, 8192),
    "amazon.titan-embed-text-v2:0": (8192, 0),
    "meta.llama3-1-70b-instruct-v1:0": (128_000, 2048),
    "meta.llama3-1-8b-instruct-v1:0": (128_000, 2048),
    "mistral.mistral-large-2402-v1:0": (32_000, 8192),
    "mistral.mixtral-8x7b-instruct-v0:1": (32_000, 4096),
    "mistral.mistral-7b-instruct-v0:2": (32_000, 8192),
    "cohere.command-r-plus-v1:0": (128_000, 4096),
    "cohere.embed-english-v3": (512, 0),
    "cohere.embed-multilingual-v3": (512, 0),
}
EMBEDDING_DIMENSIONS = {
    "amazon.titan-embed-text-v2:0": 1024,
    "cohere.embed-english-v3": 1024,
    "cohere.embed-multilingual-v3": 1024,
}


def as_of(text: str) -> datetime:
    parts = [int(part) for part in text.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 1
    return datetime(year, month, 1, tzinfo=UTC)


def seed_catalogue(using: str = "default", **kwargs: Any) -> None:
    from models_catalog.models import FoundationModel, ModelPrice, Provider

    if getattr(connections[using], "schema_name", "public") != "public":
        return

    local, _ = Provider.objects.get_or_create(name="local", defaults={"kind": "local"})
    bedrock, _ = Provider.objects.get_or_create(
        name="bedrock", defaults={"kind": "bedrock", "region": "us-east-1"}
    )
    Provider.objects.get_or_create(
        name="sagemaker", defaults={"kind": "sagemaker", "region": "us-east-1"}
    )
    free_from = datetime(2026, 1, 1, tzinfo=UTC)
    for name, provider_id, display, modality, context, output, dims in (
        (
            "local/gemma-3-270m",
            "gemma3-270m-q4-k-m",
            "Gemma 3 270M (local, CPU)",
            "chat",
            4096,
            1024,
            None,
        ),
        (
            "local/all-minilm-l6-v2",
            "all-MiniLM-L6-v2",
            "all-MiniLM-L6-v2 (local, CPU)",
            "embedding",
            256,
            0,
            384,
        ),
        (
            "local/minilm-rerank",
            "all-MiniLM-L6-v2",
            "MiniLM re-score (local, CPU; a bi-encoder)",
            "rerank",
            256,
            0,
            None,
        ),
    ):
        model, created = FoundationModel.objects.get_or_create(
            name=name,
            defaults={
                "provider": local,
                "provider_model_id": provider_id,
                "display_name": display,
                "modality": modality,
                "context_window": context,
                "max_output_tokens": output,
                "embedding_dimensions": dims,
                **capabilities_of(name),
            },
        )
        if created:
            ModelPrice.objects.create(
                model=model,
                currency="USD",
                input_per_million=Decimal(0),
                output_per_million=Decimal(0),
                effective_from=free_from,
                source="runs on the platform's own CPUs",
            )

    with PRICES.open(newline="") as handle:
        for row in csv.DictReader(handle):
            model_id = row["provider_model_id"]
            context, output = LIMITS[model_id]
            model, created = FoundationModel.objects.get_or_create(
                name=model_id,
                defaults={
                    "provider": bedrock,
                    "provider_model_id": model_id,
                    "display_name": row["display_name"],
                    "modality": row["modality"],
                    "context_window": context,
                    "max_output_tokens": output,
                    "embedding_dimensions": EMBEDDING_DIMENSIONS.get(model_id),
                    **capabilities_of(model_id),
                },
            )
            if created:
                ModelPrice.objects.create(
                    model=model,
                    currency="USD",
                    input_per_million=Decimal(row["usd_per_1m_input"]),
                    output_per_million=Decimal(row["usd_per_1m_output"] or "0"),
                    effective_from=as_of(row["as_of"]),
                    source=row["source"],
                )
