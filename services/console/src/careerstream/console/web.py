"""The console's application: sessions, sign-in, CSRF, security headers, templates and pages.

A backend-for-frontend: every page is rendered on the server from the services'
public HTTP APIs, called with the signed-in person's token (`backend.py`); the
console keeps no data of its own beyond the signed session cookie.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from careerstream.console.backend import ApiError, Backend
from careerstream.console.identity import Person
from careerstream.console.settings import Settings
from careerstream.servicekit.auth import AuthSettings

HERE = Path(__file__).parent
log = logging.getLogger("careerstream.console")
COOKIE = "careerstream_console"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class NotSignedIn(Exception):
    """The request needs a signed-in person and has none."""


class CsrfRefused(Exception):
    """An unsafe request without the session's CSRF token."""


templates = Jinja2Templates(directory=str(HERE / "templates"))


def person_of(request: Request) -> Person:
    """The signed-in person (`NotSignedIn` when there is none)."""
    person = Person.from_session(request.session.get("person"))
    if person is None:
        raise NotSignedIn
    return person


def backend_of(request: Request) -> Backend:
    """The services, as the signed-in person (one per request, its time counted)."""
    existing = getattr(request.state, "backend", None)
    if isinstance(existing, Backend):
        return existing
    b = Backend(
        request.app.state.http,
        request.app.state.settings,
        request.app.state.auth,
        person_of(request),
    )
    request.state.backend = b
    return b


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def require_csrf(request: Request) -> None:
    """Every unsafe request carries the session's token, in a header (htmx) or a form field."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfRefused


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or, for an htmx request of a fragment, the fragment) with the shared context."""
    person = Person.from_session(request.session.get("person"))
    settings: Settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        template,
        {
            "person": person,
            "csrf": csrf_token(request),
            "dev_signin": settings.dev_signin,
            "oidc": bool(settings.oidc_issuer),
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )


def redirect(url: str) -> RedirectResponse:
    """After a successful form post: see the page anew (303, so a reload does not post again)."""
    return RedirectResponse(url, status_code=303)


MAX_BODY = 17 * 1024 * 1024
"""The largest request body the console reads: a 16 MiB upload and its form."""


def _too_large(status: int, detail: str) -> Response:
    return HTMLResponse(
        '<!doctype html><html lang="en"><title>Too large</title>'
        f"<main><h1>Not accepted</h1><p>{detail}.</p></main></html>",
        status_code=status,
    )


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def create_app(settings: Settings | None = None, auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    auth = auth or AuthSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(
            timeout=settings.api_timeout_seconds,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        ) as client:
            app.state.http = client
            yield

    app = FastAPI(
        title="careerstream console",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.auth = auth

    @app.middleware("http")
    async def body_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Refuse a body larger than any page takes before reading it (the largest is an
        HRIS export, 16 MiB, and the API it goes to refuses more)."""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                if request.headers.get("transfer-encoding"):
                    return _too_large(411, "send the form with its length")
            elif int(length) > MAX_BODY:
                return _too_large(413, "a form or file may be at most 17 MiB")
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        total = (time.perf_counter() - started) * 1000
        h = response.headers
        h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        if request.url.path.startswith("/static/vendor/"):
            h["Cache-Control"] = "public, max-age=86400, immutable"  # versioned file names
        else:
            h.setdefault("Cache-Control", "no-store")
        b = getattr(request.state, "backend", None)
        if isinstance(b, Backend):
            h["Server-Timing"] = (
                f'app;dur={total:.1f}, api;dur={b.api_seconds * 1000:.1f};desc="{b.calls} calls"'
            )
        else:
            h["Server-Timing"] = f"app;dur={total:.1f}"
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie=COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.mount(
        "/static",
        StaticFiles(directory=str(HERE / "static")),
        name="static",
    )

    @app.exception_handler(NotSignedIn)
    async def _signed_out(request: Request, exc: NotSignedIn) -> Response:
        target = "/signin?next=" + quote(_safe_next(request.url.path), safe="/")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.method != "GET":
            return render(
                request, "error.html", 401, title="Signed out", detail="Sign in again to go on."
            )
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return render(
            request,
            "error.html",
            403,
            title="This form has expired",
            detail="The page was open too long or came from elsewhere. Reload it and try again.",
        )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        status = exc.status if exc.status in (400, 403, 404, 409, 422, 503) else 502
        titles = {403: "Not yours to see", 404: "Not found"}
        return render(
            request,
            "error.html",
            status,
            title=titles.get(exc.status, exc.title),
            detail=exc.detail,
        )

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        reference = secrets.token_hex(6)
        log.exception("console page failed (reference %s)", reference)
        return render(
            request,
            "error.html",
            500,
            title="Something went wrong",
            detail=f"The console could not show this page (reference {reference}). Try again.",
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "service": "console"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        return JSONResponse({"status": "ready", "service": "console"})

    from careerstream.console.pages import employee, hr, manager, signin

    app.include_router(signin.build(settings))
    app.include_router(employee.router)
    app.include_router(manager.router)
    app.include_router(hr.router)
    return app
