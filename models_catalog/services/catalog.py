"""Providers, models and prices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import record_audit
from kernel.errors import Conflict, InvalidInput
from models_catalog.models import CURRENCIES, FoundationModel, ModelPrice

CURRENCY_CODES = {code for code, _ in CURRENCIES}


def parse_price(value: Any, field: str) -> Decimal:
    """A price per million tokens: a number, zero or more."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} must be a number, e.g. 3.00 (got {value!r}).") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"{field} must be zero or more (got {value!r}).")
    return amount


def set_price(
    *,
    model: FoundationModel,
    input_per_million: Any,
    output_per_million: Any,
    currency: str,
    effective_from: datetime | None = None,
    source: str = "",
    actor: str,
) -> ModelPrice:
    """Add a price that takes effect at `effective_from` (now by default); older prices stay."""
    if currency not in CURRENCY_CODES:
        raise InvalidInput(f"Unknown currency {currency!r}: use one of {sorted(CURRENCY_CODES)}.")
    price = ModelPrice(
        model=model,
        currency=currency,
        input_per_million=parse_price(input_per_million, "input_per_million"),
        output_per_million=parse_price(output_per_million, "output_per_million"),
        effective_from=effective_from or timezone.now(),
        source=source,
    )
    if ModelPrice.objects.filter(model=model, effective_from=price.effective_from).exists():
        raise Conflict(f"{model.name} already has a price taking effect at that instant.")
    try:
        price.full_clean()
    except ValidationError as error:
        raise InvalidInput("; ".join(error.messages)) from None
    with transaction.atomic():
        price.save()
        record_audit(
            actor=actor,
            action="model.price_set",
            target=model,
            after={
                "currency": currency,
                "input_per_million": str(price.input_per_million),
                "output_per_million": str(price.output_per_million),
                "effective_from": price.effective_from.isoformat(),
            },
        )
    return price


def set_lifecycle(
    *,
    model: FoundationModel,
    deprecated_at: datetime | None,
    end_of_life_at: datetime | None,
    actor: str,
) -> FoundationModel:
    """Schedule deprecation and end of life. Retirement then happens by itself at that instant."""
    if deprecated_at and end_of_life_at and deprecated_at > end_of_life_at:
        raise InvalidInput("A model is deprecated before its end of life, not after.")
    before = _lifecycle_dates(model)
    with transaction.atomic():
        model.deprecated_at, model.end_of_life_at = deprecated_at, end_of_life_at
        model.save(update_fields=["deprecated_at", "end_of_life_at"])
        record_audit(
            actor=actor,
            action="model.lifecycle_set",
            target=model,
            before=before,
            after=_lifecycle_dates(model),
        )
    return model


def _lifecycle_dates(model: FoundationModel) -> dict[str, str | None]:
    return {
        "deprecated_at": model.deprecated_at.isoformat() if model.deprecated_at else None,
        "end_of_life_at": model.end_of_life_at.isoformat() if model.end_of_life_at else None,
    }
