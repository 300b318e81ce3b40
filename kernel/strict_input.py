"""Requests that refuse what they do not read: a field the endpoint does not know (a typo, a
field of another endpoint, one a newer client sends) is a 400 that names it, never a silently
different request. So is a query-string or form field given twice where one value is read."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.settings import api_settings

from kernel.errors import InvalidInput


def refuse_unknown_fields(
    data: Mapping[str, Any], known: Collection[str], *, repeatable: Collection[str] = ()
) -> None:
    """InvalidInput naming the first field of `data` not in `known`, or given more than once
    (a QueryDict's list) unless `repeatable`."""
    for name in data:
        if name not in known:
            raise InvalidInput(
                f"Unknown field {name!r}: this request takes {', '.join(known)}.", param=str(name)
            )
        if name not in repeatable and len(getattr(data, "getlist", lambda _: [0])(name)) > 1:
            raise InvalidInput(f"{name!r} is given more than once; give it once.", param=name)


class StrictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = [name for name, field in self.fields.items() if not field.read_only]
            # DRF's own `?format=json` chooses the renderer before any serializer reads the query.
            refuse_unknown_fields(data, [*known, api_settings.URL_FORMAT_OVERRIDE])
        return super().to_internal_value(data)
