"""Sign-in and sign-out: OpenID Connect (authorization code with PKCE) and, in development, a
page that picks a tenant, a person and a role from the directory."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import secrets
from typing import Annotated, Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from careerstream.console.backend import ApiError, Backend
from careerstream.console.identity import Person, SignInRefused, checked, person_from_claims
from careerstream.console.settings import Settings
from careerstream.console.web import _safe_next, redirect, render, require_csrf

DEV_ROLES = {
    "employee": ["employee"],
    "manager": ["employee", "manager"],
    "hr_admin": ["employee", "hr_admin"],
}


def start_session(request: Request, person: Person) -> None:
    """A new session for a new sign-in: nothing from before it is kept (no fixation)."""
    request.session.clear()
    request.session["person"] = person.to_session()
    request.session["sid"] = secrets.token_urlsafe(16)
    request.session["csrf"] = secrets.token_urlsafe(32)


def build(settings: Settings) -> APIRouter:
    router = APIRouter()
    oauth = OAuth()
    if settings.oidc_issuer:
        oauth.register(
            "idp",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
        )

    @router.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        person = Person.from_session(request.session.get("person"))
        if person is None:
            return redirect("/signin")
        if person.is_hr:
            return redirect("/hr")
        if person.is_manager:
            return redirect("/team")
        return redirect("/me")

    @router.get("/signin", include_in_schema=False)
    async def signin_page(
        request: Request, tenant: str = "acme", q: str = "", next: str = "/"
    ) -> Response:
        people: list[dict[str, Any]] = []
        error = None
        if settings.dev_signin:
            try:
                people = await _directory(request, tenant, q)
            except (ApiError, SignInRefused) as exc:
                error = str(exc)
        return render(
            request,
            "signin.html",
            tenant=tenant,
            q=q,
            people=people,
            message=error,
            next=_safe_next(next),
            roles=list(DEV_ROLES),
        )

    @router.get("/signin/oidc", include_in_schema=False)
    async def signin_oidc(request: Request, next: str = "/") -> Response:
        if not settings.oidc_issuer:
            return render(
                request,
                "error.html",
                404,
                title="No identity provider",
                detail="Single sign-on is not configured (CONSOLE_OIDC_ISSUER).",
            )
        request.session["next"] = _safe_next(next)
        callback = str(request.url_for("oidc_callback"))
        result: Response = await oauth.idp.authorize_redirect(request, callback)
        return result

    @router.get("/auth/callback", name="oidc_callback", include_in_schema=False)
    async def oidc_callback(request: Request) -> Response:
        try:
            token = await oauth.idp.authorize_access_token(request)
            claims = token.get("userinfo") or {}
            person = person_from_claims(dict(claims), settings)
        except (OAuthError, SignInRefused) as exc:
            return render(
                request,
                "error.html",
                403,
                title="Sign-in refused",
                detail=getattr(exc, "description", None) or str(exc),
            )
        target = _safe_next(request.session.get("next"))
        start_session(request, person)
        return redirect(target)

    @router.post("/signin/dev", include_in_schema=False, dependencies=[Depends(require_csrf)])
    async def signin_dev(
        request: Request,
        tenant: Annotated[str, Form(max_length=64)],
        employee_id: Annotated[str, Form(max_length=128)],
        role: Annotated[str, Form(max_length=20)],
        next: Annotated[str, Form(max_length=500)] = "/",
    ) -> Response:
        if not settings.dev_signin:
            return render(
                request, "error.html", 404, title="Not found", detail="Development sign-in is off."
            )
        try:
            if role not in DEV_ROLES:
                raise SignInRefused(f"role must be one of {', '.join(DEV_ROLES)}")
            found = await _directory(request, tenant, "", exact=employee_id)
            name = (found[0].get("display_name") if found else None) or employee_id
            person = checked(tenant, employee_id, name, DEV_ROLES[role])
        except (ApiError, SignInRefused) as exc:
            return render(
                request,
                "signin.html",
                422,
                tenant=tenant,
                q="",
                people=[],
                message=str(exc),
                next=_safe_next(next),
                roles=list(DEV_ROLES),
            )
        start_session(request, person)
        return redirect(_safe_next(next) if next != "/" else "/")

    @router.post("/signout", include_in_schema=False, dependencies=[Depends(require_csrf)])
    async def signout(request: Request) -> Response:
        request.session.clear()
        return redirect("/signin")

    return router


async def _directory(
    request: Request, tenant: str, q: str, exact: str | None = None
) -> list[dict[str, Any]]:
    """The tenant's people, read with an HR token: the development sign-in's list alone."""
    hr = checked(tenant, "console-dev-signin", "development sign-in", ["hr_admin"])
    b = Backend(request.app.state.http, request.app.state.settings, request.app.state.auth, hr)
    if exact is not None:
        rows = await b.get("hris", "/v1/people", q=exact, limit=50)
        return [r for r in rows if r["employee_id"] == exact]
    rows = await b.get("hris", "/v1/people", q=q or None, limit=200)
    return list(rows)
