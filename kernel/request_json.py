"""The one reader of JSON that a request brings: the gateway's endpoints, DRF's parser for the
APIs (`JsonParser`, set in REST_FRAMEWORK), the pages' scripts and uploaded JSONL files all go
through `read_json`. What would fail later as a 500 is refused here with a 400 that names the
field: nesting deeper than any request needs (the parser, and every step after it, recurses),
NaN and Infinity (PostgreSQL's jsonb refuses them), and text that PostgreSQL cannot store (NUL)
or UTF-8 cannot encode (a lone surrogate such as "\\ud800")."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from rest_framework.parsers import BaseParser

from kernel.errors import DomainError, InvalidInput

# JSON schemas in tools and response formats nest deepest: OpenAI allows ten levels of them,
# which is about twenty of JSON. Sixty-four leaves room and stays far from Python's recursion
# limit in anything that walks the value afterwards.
MAX_DEPTH = 64


class BodyTooLarge(DomainError):
    status_code = 413
    code = "request_too_large"


def _size_limit() -> int | None:
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit


def too_large(limit: int | None = None) -> BodyTooLarge:
    """The refusal of a body over `limit` (by default Django's DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    limit = _size_limit() if limit is None else limit
    return BodyTooLarge(
        f"The request body is larger than the {limit:,} bytes this server accepts."
        if limit is not None
        else "The request body is too large."
    )


def unstorable(text: str) -> str | None:
    """What in `text` cannot be stored as PostgreSQL text, or None: a NUL character, or a lone
    surrogate (half of a UTF-16 pair, which has no UTF-8 form)."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (such as \\ud800), which is not text"
    return None


def field_path(parent: str, key: str | int) -> str:
    """`messages[0].role` style: where a value sits in a request."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def first_unstorable(fields: Iterable[tuple[str, str]]) -> InvalidInput | None:
    """The refusal of the first (name, text) pair that cannot be stored, or None."""
    for name, text in fields:
        problem = unstorable(name) or unstorable(text)
        if problem is not None:
            return InvalidInput(f"{name}: {problem}.", param=name)
    return None


def _fault(value: Any) -> InvalidInput | None:
    """The first place in a parsed value that is nested too deeply or holds unstorable text
    (walked with a stack, not recursion: the point is to survive any depth)."""
    if isinstance(value, str):
        problem = unstorable(value)
        return None if problem is None else InvalidInput(f"the text {problem}.")
    if not isinstance(value, dict | list):
        return None
    stack: list[tuple[dict[str, Any] | list[Any], str, int]] = [(value, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:  # named by its top-level field: the full path is as deep
            top = where.split("[", 1)[0].split(".", 1)[0] or None
            return InvalidInput(
                f"{top or 'The body'}: JSON nested deeper than {MAX_DEPTH} levels.", param=top
            )
        items: Iterable[tuple[str | int, Any]] = (
            node.items() if isinstance(node, dict) else enumerate(node)
        )
        for key, item in items:
            problem = unstorable(key) if isinstance(key, str) else None
            if problem is None and isinstance(item, str):
                problem = unstorable(item)
            if problem is not None:
                param = field_path(where, key)
                return InvalidInput(f"{param}: {problem}.", param=param)
            if isinstance(item, dict | list):
                stack.append((item, field_path(where, key), depth + 1))
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(raw: bytes | str) -> Any:
    """The value of a JSON document (UTF-8), or InvalidInput saying what is wrong and where."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise InvalidInput(f"not UTF-8 text (byte {error.start}).") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise InvalidInput(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
    except ValueError as error:
        raise InvalidInput(f"invalid JSON ({error}).") from None
    fault = _fault(value)
    if fault is not None:
        raise fault
    return value


def _body_within(request: HttpRequest, limit: int) -> bytes:
    """The body, read here rather than by `request.body` (which holds every body to Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE), or 413 past `limit` whether or not a length was declared."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise InvalidInput("Content-Length: not a number of bytes.") from None
    if declared > limit:
        raise too_large(limit)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise too_large(limit)
    return raw


def json_of_request(
    request: HttpRequest, *, empty_is_object: bool = False, max_bytes: int | None = None
) -> Any:
    """The request's body as JSON (`read_json`); 413 over the size limit (`max_bytes` where an
    endpoint takes larger bodies than the others). An empty body is an error, or `{}` where
    `empty_is_object` (the pages' scripts send none when they have nothing to say)."""
    try:
        raw = request.body if max_bytes is None else _body_within(request, max_bytes)
    except RequestDataTooBig:
        raise too_large() from None
    if not raw and empty_is_object:
        return {}
    return read_json(raw)


class JsonParser(BaseParser):
    """DRF's parser for JSON bodies, through `read_json`, within the size limit (DRF's own
    reads the stream whole, past Django's limit)."""

    media_type = "application/json"

    def parse(
        self, stream: IO[bytes], media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # fmt: skip
        limit = _size_limit()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise too_large()
        return read_json(raw)
