"""Talking to the platform as an outside client would: tokens, patient calls, signed webhooks."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from careerstream.contracts.webhooks import sign
from careerstream.devstack.simulation.company import Person
from careerstream.servicekit.auth import AuthSettings, mint_token

BUSINESS_TIME = "X-Careerstream-Business-Time"


@dataclass
class Urls:
    frameworks: str
    assessments: str
    plans: str
    mobility: str
    metrics: str
    hris: str
    privacy: str = ""
    """The privacy service (the simulation does not call it; erasure tests do)."""
    notifications: str = ""
    """The notifications service (the simulation does not call it; its messages are read)."""


class PlatformClient:
    """The simulation's calls to the platform (a base of `Simulation`)."""

    tenant: str
    seed: int
    _secret: str
    _events: int
    _clock: datetime | None = None
    """The business time the simulated company is at (None: the wall clock). Sent with every
    call as `X-Careerstream-Business-Time`, which services honour under the test clock
    (servicekit.clock): months pass in minutes, and durations still read in days."""

    def business_now(self) -> datetime:
        return self._clock or datetime.now(UTC)

    def _when(self) -> dict[str, str]:
        return {BUSINESS_TIME: self._clock.isoformat()} if self._clock is not None else {}

    def token(self, who: str, *roles: str) -> dict[str, str]:
        t = mint_token(
            AuthSettings(), tenant=self.tenant, subject=who, roles=list(roles or ("employee",))
        )
        return {"Authorization": f"Bearer {t}"}

    @property
    def hr(self) -> dict[str, str]:
        return self.token("HR", "hr_admin")

    async def until(
        self, check: Callable[[], Awaitable[Any]], what: str, timeout: float = 120
    ) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = await check()
                if last:
                    return last
            except httpx.TransportError as exc:  # a service restarting
                last = exc
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{what}: not within {timeout}s (last: {last!r})")

    async def call(
        self,
        c: httpx.AsyncClient,
        method: str,
        path: str,
        expect: tuple[int, ...] = (200, 201, 202),
        settle: float = 60.0,
        **kw: Any,
    ) -> httpx.Response:
        """An HTTP call that rides out a service restart (retries transport errors and 5xx) and
        projections catching up (a 404 or 403 — someone the service has not heard of yet — is
        retried for `settle` seconds).

        A write carries an Idempotency-Key, the same on every retry: a service killed after
        applying it but before answering answers the retry with what it did, instead of
        applying it twice."""
        kw["headers"] = {**kw.get("headers", {}), **self._when()}
        if method.upper() != "GET":
            kw["headers"] = {**kw["headers"], "Idempotency-Key": str(uuid.uuid4())}
        deadline = time.monotonic() + max(settle, 60.0)
        settle_until = time.monotonic() + settle
        while True:
            try:
                resp = await c.request(method, path, **kw)
            except httpx.TransportError:
                resp = None
            if resp is not None and resp.status_code in expect:
                return resp
            late = (
                resp is not None
                and resp.status_code in (403, 404)
                and time.monotonic() < settle_until
            )
            retry = resp is None or resp.status_code >= 500 or late
            if not retry or time.monotonic() > deadline:
                detail = "no answer" if resp is None else f"{resp.status_code} {resp.text[:400]}"
                raise RuntimeError(f"{method} {path}: {detail}")
            await asyncio.sleep(0.5)

    def _uuid(self, what: str) -> uuid.UUID:
        """A UUID (as the envelope's schema promises) fixed by tenant, seed and count, so a
        resend after a broker restart carries the same id, and another tenant's never does."""
        return uuid.uuid5(
            uuid.NAMESPACE_URL, f"careerstream-sim:{self.tenant}:{self.seed}:{what}:{self._events}"
        )

    async def hook(
        self, c: httpx.AsyncClient, event_type: str, p: Person, extra: dict[str, Any] | None = None
    ) -> None:

        self._events += 1
        payload = {
            "eventId": f"sim-{self.seed}-{self._events}",
            "eventType": event_type,
            "effectiveDate": self.business_now().date().isoformat(),
            "worker": {
                "workerId": p.employee_id,
                "name": p.employee_id,
                "jobProfile": {"code": p.role_id, "title": p.role_id},
                "supervisorId": p.manager_id,
                "organizationId": p.department,
                "location": p.location,
                "email": f"{p.employee_id.lower()}@{self.tenant}.example",
                "demographics": {"gender": p.gender},
            },
            **(extra or {}),
        }
        body = json.dumps(payload).encode()
        for _ in range(120):
            headers = {
                **sign("workday", self._secret, body, datetime.now(UTC)),
                **self._when(),
                "Content-Type": "application/json",
            }
            try:
                resp = await c.post(
                    f"/v1/webhooks/{self.tenant}/workday", content=body, headers=headers
                )
            except httpx.TransportError:
                await asyncio.sleep(0.5)
                continue
            if resp.status_code in (202, 409):  # 409: delivered before a restart cut the answer
                return
            if resp.status_code < 500:
                raise RuntimeError(f"webhook {event_type}: {resp.status_code} {resp.text[:300]}")
            await asyncio.sleep(0.5)
        raise RuntimeError("the gateway did not come back")
