"""Every service's OpenAPI document says how it fails: problem+json answers on every operation.

`document_problems(app)` makes the app's OpenAPI document list, for each operation, the
error statuses it can answer (as RFC 9457 ``application/problem+json`` with one shared
``Problem`` schema) and the body limits of the edge (``x-max-body-bytes``), so outside
teams and the fuzzer can hold the service to it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from careerstream.servicekit.edge import DEFAULT_MAX_BODY, LIMIT_KEY, _policy, api_routes
from careerstream.servicekit.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error, as RFC 9457 problem details.",
    "type": "object",
    "required": ["title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "every problem with the request, each naming its field",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "trace_id": {"type": "string", "description": "on 500: the trace of the failure"},
    },
    "additionalProperties": True,
}

_MEANING = {
    400: "Malformed request headers (Idempotency-Key, If-Match, Content-Length)",
    401: "No token, or one that is invalid or expired",
    403: "The token's roles or the caller's relation to the object do not allow this",
    404: "No such object for the caller (or no such route)",
    405: "The route does not take this method",
    409: "The object is not in a state that allows this, or a concurrent change won",
    412: "The If-Match revision is not the current one",
    413: "The request body is larger than this operation takes",
    415: "The request body's Content-Type is not one this operation takes",
    422: "A parameter or the body is invalid: each problem names its field",
    500: "The service failed; the answer carries the trace id",
}


def _statuses(route: APIRoute, method: str) -> list[int]:
    out = [400, 401, 403, 404, 422, 500]
    if method in ("post", "put", "patch", "delete"):
        out += [409, 413, 415]
    if any(p.alias.lower() == "if-match" for p in route.dependant.header_params) or any(
        p.alias.lower() == "if-match" for d in route.dependant.dependencies for p in d.header_params
    ):
        out.append(412)
    return sorted(set(out))


def document_problems(app: FastAPI) -> None:
    """Replace `app.openapi` with one that documents every operation's problem answers."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        ref = {"$ref": "#/components/schemas/Problem"}
        for route in api_routes(app):
            if not route.include_in_schema:
                continue
            item = doc["paths"].get(route.path_format, {})
            for method in route.methods or ():
                op = item.get(method.lower())
                if op is None:
                    continue
                responses = op.setdefault("responses", {})
                for status in _statuses(route, method.lower()):
                    responses[str(status)] = {
                        "description": _MEANING[status],
                        "content": {PROBLEM_JSON: {"schema": ref}},
                    }
                policy = _policy(route)
                if method.lower() in ("post", "put", "patch") and policy.types is not None:
                    op[LIMIT_KEY] = policy.max_body
        doc["info"]["x-default-max-body-bytes"] = DEFAULT_MAX_BODY
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
