"""Models retire by themselves at their end-of-life instant; usage is priced by the time it
happened. The clock is moved by time-machine, never slept on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kernel.errors import Conflict, Gone, InvalidInput
from models_catalog.models import FoundationModel, Lifecycle
from models_catalog.selectors import price_at, resolve_model, usable_models
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_lifecycle, set_price

pytestmark = pytest.mark.django_db

EOL = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_seeded_catalogue_has_local_and_bedrock_models_with_prices() -> None:
    names = set(FoundationModel.objects.values_list("name", flat=True))
    assert {"local/gemma-3-270m", "local/all-minilm-l6-v2"} <= names
    assert "anthropic.claude-3-haiku-20240307-v1:0" in names
    assert "amazon.titan-embed-text-v2:0" in names
    assert "cohere.embed-english-v3" in names
    haiku = FoundationModel.objects.get(name="anthropic.claude-3-haiku-20240307-v1:0")
    price = price_at(haiku, timezone.now())
    assert (price.input_per_million, price.output_per_million) == (Decimal("0.25"), Decimal("1.25"))
    assert price.source


def test_model_switches_off_exactly_at_its_end_of_life(module_tenants) -> None:
    acme = module_tenants["acme"]
    model = FoundationModel.objects.get(name="amazon.nova-lite-v1:0")
    with time_machine.travel(EOL - timedelta(days=30), tick=False):
        grant_model(model_name=model.name, tenants=[acme], actor="platform")
        set_lifecycle(
            model=model,
            deprecated_at=EOL - timedelta(days=7),
            end_of_life_at=EOL,
            actor="platform",
        )
    with time_machine.travel(EOL - timedelta(days=1), tick=False):
        resolved = resolve_model(acme, model.name, timezone.now())
        assert resolved.lifecycle == Lifecycle.DEPRECATED
    with time_machine.travel(EOL - timedelta(microseconds=1), tick=False):
        assert model in usable_models(acme, timezone.now())
        assert resolve_model(acme, model.name, timezone.now()).entry == model
    with time_machine.travel(EOL, tick=False):
        assert model not in usable_models(acme, timezone.now())
        with pytest.raises(Gone, match="retired on 2027-03-01 12:00"):
            resolve_model(acme, model.name, timezone.now())


def test_price_history_is_applied_by_time() -> None:
    model = FoundationModel.objects.get(name="mistral.mistral-7b-instruct-v0:2")
    change = datetime(2026, 6, 1, tzinfo=UTC)
    set_price(
        model=model,
        input_per_million="0.10",
        output_per_million="0.18",
        currency="USD",
        effective_from=change,
        actor="finance",
    )
    before = price_at(model, change - timedelta(seconds=1))
    after = price_at(model, change)
    assert before.input_per_million == Decimal("0.15")
    assert after.input_per_million == Decimal("0.10")
    assert model.prices.count() == 2  # the old price is kept


@pytest.mark.parametrize(
    ("value", "message"), [("-1", "zero or more"), ("abc", "must be a number"), ("NaN", "zero")]
)
def test_bad_prices_are_refused_and_nothing_is_saved(value: str, message: str) -> None:
    model = FoundationModel.objects.get(name="mistral.mistral-7b-instruct-v0:2")
    with pytest.raises(InvalidInput, match=message):
        set_price(
            model=model,
            input_per_million=value,
            output_per_million="1",
            currency="USD",
            actor="finance",
        )
    assert model.prices.count() == 1


def test_unknown_currency_and_duplicate_instant_are_refused() -> None:
    model = FoundationModel.objects.get(name="mistral.mistral-7b-instruct-v0:2")
    with pytest.raises(InvalidInput, match="Unknown currency"):
        set_price(
            model=model,
            input_per_million="1",
            output_per_million="1",
            currency="XYZ",
            actor="finance",
        )
    existing = model.prices.get()
    with pytest.raises(Conflict):
        set_price(
            model=model,
            input_per_million="1",
            output_per_million="1",
            currency="USD",
            effective_from=existing.effective_from,
            actor="finance",
        )


def test_deprecation_after_end_of_life_is_refused() -> None:
    model = FoundationModel.objects.get(name="amazon.nova-micro-v1:0")
    with pytest.raises(InvalidInput, match="before its end of life"):
        set_lifecycle(
            model=model, deprecated_at=EOL, end_of_life_at=EOL - timedelta(days=1), actor="platform"
        )
    model.refresh_from_db()
    assert model.end_of_life_at is None
