"""Calls to the platform's services, as the signed-in person.

Every call carries a short-lived platform token minted for the person the
session names (their tenant, employee id and roles), so each service applies
its own access rules: what an API refuses, the console does not show. Tokens
travel only in the Authorization header, never in a URL or a log line.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from careerstream.console.identity import Person
from careerstream.console.settings import Settings
from careerstream.servicekit.auth import AuthSettings, mint_token


@dataclass
class ApiError(Exception):
    """A service refused or failed a call; `errors` name the fields when it said which."""

    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.title}: {self.detail}" if self.detail else self.title

    def field_errors(self) -> dict[str, str]:
        """Field name (its last dotted part, as the form names it) -> message."""
        out: dict[str, str] = {}
        for e in self.errors:
            name = str(e.get("field", "")).split(".")[-1]
            out.setdefault(name, str(e.get("message", "")))
        return out


@dataclass
class Backend:
    """The services, called as one person; counts the time spent waiting on them."""

    client: httpx.AsyncClient
    settings: Settings
    auth: AuthSettings
    person: Person
    api_seconds: float = 0.0
    calls: int = 0
    _token: str | None = None

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = mint_token(
                self.auth,
                tenant=self.person.tenant,
                subject=self.person.employee_id,
                roles=list(self.person.roles),
                ttl_seconds=self.settings.token_ttl_seconds,
            )
        return {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        raw: bool = False,
    ) -> Any:
        """The decoded answer; `ApiError` for a 4xx/5xx or a service that does not answer."""
        headers = self._headers()
        if content_type:
            headers["Content-Type"] = content_type
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        started = time.perf_counter()
        try:
            resp = await self.client.request(
                method,
                self.settings.url_of(service) + path,
                params=clean,
                json=json,
                content=content,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise ApiError(
                503,
                "Service unavailable",
                f"the {service} service did not answer ({type(exc).__name__})",
            ) from None
        finally:
            self.api_seconds += time.perf_counter() - started
            self.calls += 1
        if resp.status_code >= 400:
            raise _error(resp, service)
        if raw:
            return resp
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return await self.call("GET", service, path, params=params)

    async def post(self, service: str, path: str, body: Any = None) -> Any:
        return await self.call("POST", service, path, json=body if body is not None else {})

    async def put(self, service: str, path: str, body: Any) -> Any:
        return await self.call("PUT", service, path, json=body)

    async def maybe(self, service: str, path: str, **params: Any) -> Any:
        """Like `get`, but None when the service answers 404 or 403 (nothing to show)."""
        try:
            return await self.get(service, path, **params)
        except ApiError as exc:
            if exc.status in (403, 404):
                return None
            raise

    async def gather(self, *calls: Any) -> list[Any]:
        """Several calls at once (the page waits for the slowest, not the sum)."""
        return list(await asyncio.gather(*calls))


def _error(resp: httpx.Response, service: str) -> ApiError:
    try:
        body = resp.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    raw = body.get("errors")
    errors: list[Any] = raw if isinstance(raw, list) else []
    title = str(body.get("title") or resp.reason_phrase or "Error")
    detail = str(body.get("detail") or "")
    if resp.status_code >= 500:
        detail = f"the {service} service failed ({detail or resp.status_code}); try again"
    return ApiError(resp.status_code, title, detail, [e for e in errors if isinstance(e, dict)])
