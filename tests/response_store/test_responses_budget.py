"""The Responses API and legacy completions reserve on budgets as chat does: a call whose worst
case would pass the tenant's limit is refused before the model is asked, and charges nothing."""

from __future__ import annotations

from decimal import Decimal

import openai
import pytest
from django.utils import timezone

from budgets.services import set_budget
from models_catalog.models import FoundationModel
from models_catalog.services.catalog import set_price
from tests.gateway.recorded import events_of
from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worst_case_past_the_budget_is_refused_before_the_call(acme, upstream) -> None:
    set_price(model=FoundationModel.objects.get(name=MODEL), input_per_million="5000",
              output_per_million="5000", currency="USD",
              effective_from=timezone.now() - timezone.timedelta(days=1), actor="test")  # fmt: skip
    # 300 output tokens at 5000 per million: a worst case of about 1.55, past a limit of 1.00.
    set_budget(tenant=acme.tenant, business_unit=None, monthly_limit=Decimal("1.00"),
               currency="USD", actor="test")  # fmt: skip
    with pytest.raises(openai.RateLimitError):
        acme.responses.create(model=MODEL, input="Hi", max_output_tokens=300)
    with pytest.raises(openai.RateLimitError):
        acme.completions.create(model=MODEL, prompt="Hi", max_tokens=300)
    assert upstream.requests == []
    # Within the budget: answered, and charged once (11 + 2 tokens at that price).
    answer = acme.responses.create(model=MODEL, input="Hi", max_output_tokens=100)
    events = events_of(acme.tenant.slug, 3)  # the two refusals are usage too: failed, free
    refused = [event for event in events if event.status == "refused"]
    assert len(refused) == 2 and all(event.cost == 0 for event in refused)
    (event,) = [event for event in events if event.status != "refused"]
    assert event.request_id == answer.id and event.cost == Decimal("0.065")
