"""The APIs' errors in the OpenAPI schema: OpenAI's error body (`kernel.http_errors`) declared
with each status an operation can answer, so that clients (and schemathesis) know every answer.
The statuses any operation may answer are added by `declare_error_responses`, a drf-spectacular
postprocessing hook; a view declares those only it answers (409, 410, 429) with
`error_responses`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

ERROR_COMPONENT = "Error"
ERROR = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "OpenAI's error body.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "message": {"type": "string", "description": "What is wrong, for a person."},
                "type": {"type": "string", "description": "e.g. invalid_request_error"},
                "param": {
                    "type": "string",
                    "nullable": True,
                    "description": "The field at fault, where there is one.",
                },
                "code": {"type": "string", "nullable": True},
            },
            "required": ["message", "type", "param", "code"],
        }
    },
    "required": ["error"],
}

WHY = {
    400: "The request cannot be used as sent; the message (and param) name the field.",
    401: "No bearer token, or one that is not valid here (see WWW-Authenticate).",
    403: "The token is valid but its principal may not do this.",
    404: "No such tenant or object (or not yours: the same answer).",
    405: "The path does not take this method.",
    409: "The object is not in a state that allows this.",
    410: "The object is gone (retired or expired).",
    413: "The request body is larger than this server accepts.",
    415: "The body is not in a media type this operation reads.",
    429: "A rate limit or budget refuses the call for now (see Retry-After).",
    503: "A store the API needs is down; retry after Retry-After seconds.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """For `@extend_schema(responses={...})`: the error statuses only this operation answers."""
    return {status: OpenApiResponse(response=ERROR, description=WHY[status]) for status in statuses}


def _statuses(operation: dict[str, Any], path: str) -> list[int]:
    """What any operation of this shape may answer: bad input (the path or query too, NUL in
    them), the bearer token's refusals, a missing object or tenant, a body over the size limit
    or of another media type, and a store that is down."""
    statuses = [400, 405, 503]
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if "requestBody" in operation:
        statuses += [413, 415]
    return statuses


def declare_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook (SPECTACULAR_SETTINGS): the Error component and the
    statuses `_statuses` names on every operation that does not declare them already."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(operation, path):
                responses.setdefault(
                    str(status), {"description": WHY[status], "content": _json(ERROR)}
                )
    return result


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}
