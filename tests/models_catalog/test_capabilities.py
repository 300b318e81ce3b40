"""The catalogue's capabilities reach rows that existed before a capability was known."""

from __future__ import annotations

import pytest

from models_catalog.capabilities import KNOWN, apply_known_structured_output
from models_catalog.models import FoundationModel

pytestmark = pytest.mark.django_db


def test_existing_claude_and_nova_rows_gain_json_output_and_titan_does_not() -> None:
    FoundationModel.objects.update(supports_json_mode=False, supports_json_schema=False)
    FoundationModel.objects.filter(name="amazon.nova-pro-v1:0").update(supports_json_mode=True)
    apply_known_structured_output(FoundationModel)
    able = set(
        FoundationModel.objects.filter(supports_json_mode=True, supports_json_schema=True)
        .values_list("name", flat=True)
    )  # fmt: skip
    assert "anthropic.claude-3-haiku-20240307-v1:0" in able and "amazon.nova-micro-v1:0" in able
    assert (
        "amazon.titan-text-express-v1" not in able and "meta.llama3-1-8b-instruct-v1:0" not in able
    )
    # A row an administrator already changed is left as it is.
    assert "amazon.nova-pro-v1:0" not in able
    assert able <= {name for name, fields in KNOWN.items() if fields.get("supports_json_schema")}
