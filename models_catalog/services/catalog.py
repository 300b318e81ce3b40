"""Providers, models and prices: every write here is in the audit log, once, with the changed
fields before and after (a provider names the environment variables of its credentials, never a
secret, so all of its fields may be recorded)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.services import record_audit
from kernel.errors import Conflict, InvalidInput, invalid_input_of
from models_catalog.models import CURRENCIES, FoundationModel, ModelPrice, Provider

CURRENCY_CODES = {code for code, _ in CURRENCIES}

CatalogEntry = Provider | FoundationModel
# How the audit log names each kind of entry: its actions ("model.changed") and targets.
NOUNS: dict[type[models.Model], str] = {Provider: "provider", FoundationModel: "model"}
NOT_AUDITED = {"id", "created_at"}
LIFECYCLE_FIELDS = {"deprecated_at", "end_of_life_at"}
PRICE_FIELDS = (
    "currency",
    "input_per_million",
    "output_per_million",
    "cached_input_per_million",
    "cache_write_per_million",
    "effective_from",
    "source",
)


def parse_price(value: Any, field: str) -> Decimal:
    """A price per million tokens: a number, zero or more."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} must be a number, e.g. 3.00 (got {value!r}).") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"{field} must be zero or more (got {value!r}).")
    return amount


def _optional_price(value: Any, field: str) -> Decimal | None:
    return None if value is None else parse_price(value, field)


def set_price(
    *,
    model: FoundationModel,
    input_per_million: Any,
    output_per_million: Any,
    currency: str,
    effective_from: datetime | None = None,
    source: str = "",
    actor: str,
    cached_input_per_million: Any = None,
    cache_write_per_million: Any = None,
) -> ModelPrice:
    """Add a price that takes effect at `effective_from` (now by default); older prices stay.
    The prompt cache's reads and writes have prices of their own, or the input price if none."""
    if currency not in CURRENCY_CODES:
        raise InvalidInput(f"Unknown currency {currency!r}: use one of {sorted(CURRENCY_CODES)}.")
    price = ModelPrice(
        model=model,
        currency=currency,
        input_per_million=parse_price(input_per_million, "input_per_million"),
        output_per_million=parse_price(output_per_million, "output_per_million"),
        cached_input_per_million=_optional_price(
            cached_input_per_million, "cached_input_per_million"
        ),
        cache_write_per_million=_optional_price(cache_write_per_million, "cache_write_per_million"),
        effective_from=effective_from or timezone.now(),
        source=source,
    )
    if ModelPrice.objects.filter(model=model, effective_from=price.effective_from).exists():
        raise Conflict(f"{model.name} already has a price taking effect at that instant.")
    try:
        price.full_clean()
    except ValidationError as error:
        raise invalid_input_of(error) from None
    add_price(price, actor=actor)
    return price


def add_price(price: ModelPrice, *, actor: str) -> ModelPrice:
    """Save a new, validated price (from `set_price` or the admin's price rows), audited."""
    with transaction.atomic():
        price.save()
        _record(actor, "price_set", price.model, after=_state(price, PRICE_FIELDS))
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
        _record(actor, "lifecycle_set", model, before=before, after=_lifecycle_dates(model))
    return model


def save_catalog_entry(entry: CatalogEntry, *, actor: str) -> CatalogEntry:
    """Create or change a provider or model (validated by the caller, e.g. the admin's form):
    audited as `<noun>.created`, or `<noun>.changed` with the fields that changed, before and
    after (`model.lifecycle_set` when only its dates did); a save that changes nothing is not."""
    fields = _audited_fields(entry)
    stored = type(entry).objects.filter(pk=entry.pk).first() if entry.pk else None
    with transaction.atomic():
        entry.save()
        if stored is None:
            _record(actor, "created", entry, after=_state(entry, fields))
            return entry
        before, after = _state(stored, fields), _state(entry, fields)
        changed = [name for name in fields if before[name] != after[name]]
        if changed:
            verb = "lifecycle_set" if set(changed) <= LIFECYCLE_FIELDS else "changed"
            _record(actor, verb, entry, before={name: before[name] for name in changed},
                    after={name: after[name] for name in changed})  # fmt: skip
    return entry


def delete_catalog_entry(entry: CatalogEntry, *, actor: str) -> None:
    """Delete a provider or model, audited with what it was (a model's prices go with it)."""
    with transaction.atomic():
        _record(actor, "deleted", entry, before=_state(entry, _audited_fields(entry)))
        entry.delete()


def _record(
    actor: str,
    verb: str,
    entry: CatalogEntry,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    noun = NOUNS[type(entry)]
    record_audit(actor=actor, action=f"{noun}.{verb}", target=entry, before=before, after=after)


def _audited_fields(entry: CatalogEntry) -> tuple[str, ...]:
    return tuple(
        field.name for field in entry._meta.concrete_fields if field.name not in NOT_AUDITED
    )


def _state(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields' values as JSON: related rows by name, dates in UTC ISO 8601, decimals as text."""
    state: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if field.is_relation:
            value = str(value) if value is not None else None
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        elif isinstance(value, Decimal):  # as stored, whatever was typed: "0.25" is "0.250000"
            value = f"{value:.{getattr(field, 'decimal_places', 6)}f}"
        state[name] = value
    return state


def _lifecycle_dates(model: FoundationModel) -> dict[str, Any]:
    return _state(model, ("deprecated_at", "end_of_life_at"))
