"""One JSON object per log line, with the fields a log pipeline can index (tenant, principal,
model, request id) when the caller passes them as `extra`. Written by orjson: the gateway writes
one line per call, and the standard library's encoder cost it several times as much."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import orjson

FIELDS = ("request_id", "tenant", "principal", "model", "served_by", "status", "input_tokens",
          "output_tokens", "latency_ms", "streamed", "operation", "error")  # fmt: skip


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(entry, default=str).decode()
        except orjson.JSONEncodeError:  # a lone surrogate, say: the standard library escapes it
            try:
                return json.dumps(entry, default=str)
            except (TypeError, ValueError):  # keys it cannot write, a cycle: every value as repr
                return json.dumps({name: repr(value) for name, value in entry.items()})
