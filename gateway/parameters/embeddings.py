"""An /embeddings body: the texts, their encoding, and a vector size the model gives."""

from __future__ import annotations

from typing import Any

from gateway.parameters.fields import BadParameter, one_of, unknown_fields
from models_catalog.models import FoundationModel

EMBEDDING_FIELDS = {"model", "input", "encoding_format", "dimensions", "user"}


def embedding_request(
    body: dict[str, Any], entry: FoundationModel
) -> tuple[list[str], str, int | None]:
    """(texts, encoding_format, dimensions) from an /embeddings body, for model `entry`."""
    extra = unknown_fields(body, EMBEDDING_FIELDS, entry)
    if extra:
        raise BadParameter(next(iter(extra)), "embeddings take no extra parameters.")
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise BadParameter("input", "must be a string or a non-empty list of strings.")
    if len(texts) > 2048:
        raise BadParameter("input", "at most 2048 strings per request.")
    encoding = body.get("encoding_format", "float")
    if not one_of(encoding, {"float", "base64"}):
        raise BadParameter("encoding_format", "must be float or base64.")
    if body.get("user") is not None:
        raise BadParameter("user", "embeddings take no user.")
    dimensions = body.get("dimensions")
    if dimensions is None or dimensions == entry.embedding_dimensions:
        return texts, encoding, None
    choices = sorted(entry.embedding_dimension_choices or [])
    if isinstance(dimensions, bool) or dimensions not in choices:
        native = entry.embedding_dimensions
        offered = ", ".join(str(d) for d in [*choices, native] if d)
        raise BadParameter("dimensions", f"{entry.name} gives vectors of {offered} dimensions.")
    return texts, encoding, int(dimensions)
