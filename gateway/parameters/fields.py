"""The top-level fields of a body: a refusal that names its field, the model named, numbers in
range, and fields nobody asked Atrium for (passed through to an OpenAI-compatible server where
the catalogue lets them, refused otherwise)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeGuard

from kernel.errors import InvalidInput
from models_catalog.models import FoundationModel, Provider

# Fields of OpenAI's API that no provider behind Atrium serves (unless the catalogue lets them
# through to an OpenAI-compatible server as extra parameters).
NOT_SERVED = {
    "audio": "audio output is not supported.",
    "prediction": "predicted outputs are not supported.",
    "web_search_options": "web search is not supported.",
    "reasoning_effort": "this model takes no reasoning effort.",
    "verbosity": "this model takes no verbosity setting.",
    "prompt_cache_key": "prompt cache keys are not supported.",
    "safety_identifier": "safety identifiers are not supported; the caller is known from the "
    "token.",
}


class BadParameter(InvalidInput):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}", param=param)


def one_of(value: Any, choices: Collection[str]) -> TypeGuard[str]:
    """Whether a request's `value` is one of the strings `choices`. Test a raw value with this,
    never with `in` alone: a list or an object (valid JSON anywhere) cannot be looked up in a
    set or a dict, and the TypeError would be a 500 instead of a 400 naming the field."""
    return isinstance(value, str) and value in choices


def exactly(value: Any, *choices: Any) -> bool:
    """Whether a request's `value` is one of `choices` as JSON sees it: of the same type too.
    In Python `0 == False` and `True == 1`, but a body's `echo: 0` or `n: true` is not the
    `false` or `1` it resembles: it is a value of the wrong type, refused by name."""
    return any(type(value) is type(choice) and value == choice for choice in choices)


def require_model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise BadParameter("model", "name the model to use (GET /models lists yours).")
    return model.strip()


def _passes_through(entry: FoundationModel, name: str) -> bool:
    return entry.provider.kind == Provider.Kind.OPENAI_COMPATIBLE and name in (
        entry.extra_parameters or []
    )


def unknown_fields(body: dict[str, Any], known: set[str], entry: FoundationModel) -> dict[str, Any]:
    """The fields the catalogue passes through to this model's server; 400 for any other field
    that is not `known`."""
    extra: dict[str, Any] = {}
    for name in body:
        if name in known:
            continue
        if _passes_through(entry, name):
            extra[name] = body[name]
        elif name in NOT_SERVED:
            raise BadParameter(name, NOT_SERVED[name])
        else:
            raise BadParameter(name, "unknown parameter.")
    return extra


def number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadParameter(name, f"must be a number from {low} to {high}.")
    return float(value)


def whole(value: Any, param: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadParameter(param, f"must be a whole number from {low} to {high}.")
    return value
