"""Errors users see, as RFC 9457 `application/problem+json`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An error with its HTTP status; `detail` says what was wrong and what to do."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int, title: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """An RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of the app (404, 405, 422, 500, `Problem`) a problem+json response."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own answers (no such route, method not allowed, ...) as problems too.
        titles = {404: "Not found", 405: "Method not allowed"}
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.url.path}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route that matched the path; a path
            # served by several routes takes the methods of them all.
            allowed = _methods_at(request)
            if allowed:
                headers["Allow"] = ", ".join(sorted(allowed))
            if detail == "Method Not Allowed":
                detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(
            exc.status_code, titles.get(exc.status_code, "Error"), detail, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
                "received": e.get("input"),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field'] or '<body>'}: {e['message']}" for e in errors[:5])
        return problem_response(422, "Invalid request", detail, errors=_jsonable(errors))


def _methods_at(request: Request) -> set[str]:
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Match, Route

    out: set[str] = set()
    scope = {**request.scope, "method": "GET"}
    for ctx in iter_route_contexts(request.app.routes):
        route = ctx.original_route
        if isinstance(route, Route) and route.methods:
            path_match, _ = route.matches({**scope, "method": next(iter(route.methods))})
            if path_match is Match.FULL:
                out |= route.methods
    return out


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))
