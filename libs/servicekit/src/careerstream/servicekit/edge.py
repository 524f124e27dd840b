"""The edge every service's HTTP API sits behind: hostile input is refused before a handler runs.

`EdgeMiddleware` is the outermost middleware of every service (`create_app` adds it). For
each request it finds the route and applies that route's policy:

- **Body size.** A body larger than the route's limit is answered 413 problem+json; a
  declared ``Content-Length`` over the limit is refused before a byte is read, a streamed
  body as soon as it passes the limit (nothing beyond it is read). The default is
  `DEFAULT_MAX_BODY`; a route sets its own with ``openapi_extra=body_limit(n)`` or
  ``raw_body(...)``, and the OpenAPI document shows it as ``x-max-body-bytes``.
- **Content type.** A route with a JSON body takes ``application/json`` (or a ``+json``
  type); a route that reads its body raw lists its types with `raw_body`. Anything else is
  415, naming what the route accepts.
- **Text.** No path parameter, query parameter or text body (a ZIP is not one) may hold a
  NUL character, and no JSON string may hold an unpaired surrogate (PostgreSQL stores
  neither): 422 naming the parameter, or the JSON path of the field.
- **JSON shape.** A JSON body must parse; its integers must fit in 64 bits (a 5,000-digit
  number is refused, not parsed), ``NaN``/``Infinity`` are refused, and it may nest at most
  `MAX_DEPTH` levels. Each refusal is 422 naming the field.
- **The documented schema.** A JSON body must match the JSON Schema its operation
  publishes in the service's OpenAPI document, as JSON: `false` is not a number, `0` is
  not a boolean, `"5"` is not an integer, and a date is a string (the route's own,
  lax, validation would coerce each of them). The body's model checks it in pydantic's
  strict JSON mode, which accepts exactly what its JSON Schema allows.
- **Failures.** Any unexpected exception becomes a 500 problem+json carrying the trace id
  (the same id is in the log line and the trace), never a plain-text page.

The route's handler and its pydantic models then check everything else (types, ranges,
lengths), answered as 422 problem+json by `problems.install_problem_handlers`.
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

from fastapi.routing import APIRoute, iter_route_contexts
from opentelemetry import trace
from pydantic import TypeAdapter, ValidationError
from starlette.routing import Match

from careerstream.servicekit import clock

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("careerstream.edge")

DEFAULT_MAX_BODY = 256 * 1024
"""Bytes a request body may hold unless its route says otherwise."""
MAX_DEPTH = 32
"""How deeply a JSON body may nest."""
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
LIMIT_KEY = "x-max-body-bytes"
JSON_TYPES = ("application/json",)
BINARY_TYPES = frozenset({"application/zip", "application/octet-stream"})
"""Bodies that are bytes, not text: the NUL check does not apply (the route parses them)."""


def body_limit(max_bytes: int) -> dict[str, Any]:
    """`openapi_extra` for a JSON route whose body may be larger (or must be smaller)."""
    return {LIMIT_KEY: max_bytes}


def raw_body(
    content: Mapping[str, Mapping[str, Any]], *, max_bytes: int = DEFAULT_MAX_BODY
) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body itself: its media types and limit.

    ``content`` maps each accepted media type to its OpenAPI media type object
    (e.g. ``{"text/csv": {"schema": {"type": "string"}}}``).
    """
    return {
        "requestBody": {"content": {k: dict(v) for k, v in content.items()}, "required": True},
        LIMIT_KEY: max_bytes,
    }


@dataclass(frozen=True)
class Policy:
    """What the edge allows a route's body: its size, media types and strict schema."""

    max_body: int
    types: tuple[str, ...] | None
    """Media types the body may have; None: the route takes no body (one sent is ignored)."""
    schema: TypeAdapter[Any] | None = None
    """A strict validator of the JSON body: the operation's documented schema, if any."""


def _policy(route: APIRoute) -> Policy:
    extra = route.openapi_extra or {}
    limit = int(extra.get(LIMIT_KEY, DEFAULT_MAX_BODY))
    declared = (extra.get("requestBody") or {}).get("content")
    if declared:
        return Policy(limit, tuple(t.lower() for t in declared))
    if route.body_field is not None:
        return Policy(limit, JSON_TYPES)
    return Policy(limit, None)


def api_routes(app: Any) -> list[APIRoute]:
    """Every API route of the app, through the routers it includes (paths with their prefix)."""
    return [
        ctx.original_route
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute)
    ]


class Refused(Exception):
    """A request the edge turns away, as problem+json."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def _business_time(scope: Scope) -> Any:
    """The time a request says it happens at (the test clock only; see servicekit.clock)."""
    if not clock.enabled():
        return None
    name = clock.HEADER.encode()
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            try:
                return clock.parse_header(value.decode("latin-1"))
            except ValueError as exc:
                raise _invalid("header.X-Careerstream-Business-Time", str(exc)) from exc
    return None


def _invalid(field: str, message: str) -> Refused:
    return Refused(
        422,
        "Invalid request",
        f"{field}: {message}",
        errors=[{"field": field, "message": message}],
    )


def _bad_text(value: str) -> str | None:
    """Why PostgreSQL could not store this text, or None."""
    if "\x00" in value:
        return "must not contain a NUL character (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain an unpaired surrogate (\\ud800-\\udfff)"
    return None


class _Number:
    """A JSON number the edge refuses, kept as text until its field is known."""

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_int(text: str) -> int | _Number:
    digits = len(text.lstrip("-"))
    if digits > 19:
        return _Number(text)
    value = int(text)
    return value if INT_MIN <= value <= INT_MAX else _Number(text)


def _parse_float(text: str) -> float | _Number:
    value = float(text)
    return value if math.isfinite(value) else _Number(text)


def _check_json(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _invalid(path or "body", f"nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        why = _bad_text(value)
        if why:
            raise _invalid(path or "body", why)
    elif isinstance(value, _Number):
        shown = value.text if len(value.text) <= 24 else value.text[:20] + "…"
        raise _invalid(
            path or "body",
            f"the number {shown} is out of range (integers fit in 64 bits; no NaN or Infinity)",
        )
    elif isinstance(value, dict):
        for key, item in value.items():
            why = _bad_text(key)
            where = f"{path}.{key}" if path else key
            if why:
                raise _invalid(path or "body", f"a key {why}")
            _check_json(item, where, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]" if path else f"[{i}]", depth + 1)


def _documented(route: APIRoute) -> TypeAdapter[Any] | None:
    """A strict validator of the route's JSON body (what its OpenAPI schema documents), or None.

    The schema in the OpenAPI document is pydantic's JSON Schema of the body's model, and
    pydantic in strict JSON mode accepts exactly what that schema allows: `false` is not a
    number, `0` not a boolean, `"5"` not an integer, a date is an ISO string.
    """
    if route.body_field is None or route.body_field.field_info.annotation is None:
        return None
    return TypeAdapter(route.body_field.field_info.annotation)


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_documented(adapter: TypeAdapter[Any], body: bytes) -> None:
    """Refuse a body its model does not accept in strict JSON mode, naming every problem."""
    try:
        adapter.validate_json(body, strict=True)
    except ValidationError as exc:
        errors = [
            {"field": _where(e["loc"]) or "body", "message": e["msg"][:300]}
            for e in exc.errors(include_url=False)
        ]
        raise Refused(
            422,
            "Invalid request",
            "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]),
            errors=errors,
        ) from exc


def check_json_body(body: bytes) -> Any:
    """Refuse a JSON body the services must never see (see the module doc); its data."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid("body", f"is not UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_Number,
        )
    except json.JSONDecodeError as exc:
        raise _invalid(
            "body", f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise _invalid("body", f"nests deeper than {MAX_DEPTH} levels") from exc
    _check_json(data, "", 0)
    return data


def _media_type(headers: Mapping[bytes, bytes]) -> str | None:
    raw = headers.get(b"content-type")
    if raw is None:
        return None
    return raw.decode("latin-1").split(";")[0].strip().lower()


def _accepts(policy_types: tuple[str, ...], media: str) -> bool:
    if media in policy_types:
        return True
    # application/problem+json, application/merge-patch+json, ... are JSON too.
    return (
        "application/json" in policy_types
        and media.startswith("application/")
        and (media.endswith("+json"))
    )


class EdgeMiddleware:
    """ASGI middleware; see the module doc."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._policies: dict[tuple[int, str], Policy] = {}
        self._routes: list[APIRoute] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            receive = await self._admit(scope, receive)
            with clock.at(_business_time(scope)):
                await self.app(scope, receive, watch)
        except Refused as exc:
            await send_problem(send, exc.status, exc.title, exc.detail, **exc.extra)
        except Exception:
            trace_id = _trace_id()
            log.exception(
                "unexpected error answering %s %s (trace %s)",
                scope.get("method"),
                scope.get("path"),
                trace_id,
            )
            if started:
                raise
            await send_problem(
                send,
                500,
                "Internal error",
                "the service failed to answer this request; it was logged with this trace id",
                trace_id=trace_id,
            )

    def _route(self, scope: Scope) -> tuple[APIRoute | None, dict[str, Any]]:
        if self._routes is None:
            self._routes = api_routes(scope["app"])
        for route in self._routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, child.get("path_params", {})
        return None, {}

    async def _admit(self, scope: Scope, receive: Receive) -> Receive:
        route, params = self._route(scope)
        path = scope.get("path", "")
        why = _bad_text(path)
        if why:
            bad = next((k for k, v in params.items() if isinstance(v, str) and _bad_text(v)), None)
            raise _invalid(f"path.{bad}" if bad else "path", why)
        query = scope.get("query_string", b"").decode("latin-1")
        if query:
            for name, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8"):
                why = _bad_text(name) or _bad_text(value)
                if why:
                    raise _invalid(f"query.{name.replace(chr(0), '')}", why)
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") and route is None:
            return receive
        if route is None:
            policy = Policy(DEFAULT_MAX_BODY, None)
        else:
            key = (id(route), scope["method"])
            policy = self._policies.get(key) or self._policies.setdefault(
                key,
                replace(_policy(route), schema=_documented(route)),
            )
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError as exc:
                raise Refused(400, "Bad request", "Content-Length is not a number") from exc
            if length > policy.max_body:
                raise _too_large(policy.max_body)
        body = await read_body(receive, policy.max_body)
        media = _media_type(headers)
        if (
            policy.types is not None
            and (body or media is not None)
            and (media is None or not _accepts(policy.types, media))
        ):
            raise Refused(
                415,
                "Unsupported media type",
                f"send the body as {' or '.join(policy.types)}"
                + (f", not {media}" if media else " (no Content-Type was given)"),
                accepted=list(policy.types),
            )
        if body:
            if media is not None and (media in JSON_TYPES or media.endswith("+json")):
                check_json_body(body)
                if policy.schema is not None:
                    check_documented(policy.schema, body)
            elif media not in BINARY_TYPES and b"\x00" in body:
                raise _invalid("body", f"must not contain a NUL byte (at byte {body.index(0)})")
        return replaying(body, receive)


def _too_large(limit: int) -> Refused:
    return Refused(
        413,
        "Request body too large",
        f"this endpoint takes at most {limit} bytes",
        max_bytes=limit,
    )


async def read_body(receive: Receive, limit: int | None = None) -> bytes:
    """A request's whole body; past `limit` bytes, 413 without reading further."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app `body` again (read once already), then the rest."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _trace_id() -> str:
    ctx = trace.get_current_span().get_span_context()
    return f"{ctx.trace_id:032x}" if ctx.is_valid else uuid.uuid4().hex


async def send_problem(send: Send, status: int, title: str, detail: str, **extra: Any) -> None:
    """Answer a problem+json response straight from the ASGI layer."""
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
        default=str,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
