"""Request serializers that refuse what they do not read: a field the endpoint does not know
(a typo, a field of another endpoint, one a newer client sends) is a 400 that names it, never
a silently different request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from kernel.errors import InvalidInput


class StrictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = [name for name, field in self.fields.items() if not field.read_only]
            for name in data:
                if name not in writable:
                    raise InvalidInput(
                        f"Unknown field {name!r}: this request takes {', '.join(writable)}.",
                        param=str(name),
                    )
                # A query string may repeat a name; only one of its values would be read.
                if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
                    raise InvalidInput(f"{name!r} is given more than once; give it once.",
                                       param=str(name))  # fmt: skip
        return super().to_internal_value(data)
