"""The platform's catalogue forms: they parse and validate what a page posts; the services
write (and audit) it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from models_catalog.models import CURRENCIES, OPTIONAL_PARAMETERS, FoundationModel, Provider

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProviderForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    endpoint_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=Provider._meta.get_field("endpoint_url").help_text,
    )

    class Meta:
        model = Provider
        fields = ["name", "kind", "region", "endpoint_url", "credentials_env"]


class ModelEntryForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """A catalogue model: identity, card, limits, capabilities and lifecycle dates (UTC)."""

    optional_parameters = forms.MultipleChoiceField(
        choices=[(name, name) for name in OPTIONAL_PARAMETERS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="OpenAI parameters the provider honours for this model.",
    )

    class Meta:
        model = FoundationModel
        fields = [
            "name",
            "provider",
            "provider_model_id",
            "display_name",
            "description",
            "modality",
            "context_window",
            "max_output_tokens",
            "embedding_dimensions",
            "supports_tools",
            "supports_parallel_tool_calls",
            "supports_tool_streaming",
            "supports_json_mode",
            "supports_json_schema",
            "supports_image_input",
            "optional_parameters",
            "deprecated_at",
            "end_of_life_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4, "cols": 70}),
            "deprecated_at": WHEN,
            "end_of_life_at": WHEN,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("deprecated_at", "end_of_life_at"):
            field = self.fields[name]
            if isinstance(field, forms.DateTimeField):
                field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d"]


class PriceForm(forms.Form):
    """A new price, in force from `effective_from` (UTC); the prices before it are kept."""

    currency = forms.ChoiceField(choices=CURRENCIES, initial=lambda: settings.BILLING_CURRENCY)
    input_per_million = forms.DecimalField(min_value=0, max_digits=12, decimal_places=6)
    output_per_million = forms.DecimalField(min_value=0, max_digits=12, decimal_places=6)
    effective_from = forms.DateTimeField(widget=WHEN, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d"])
    source = forms.CharField(max_length=300, required=False)
