"""The audit trail of personal reads and writes: who saw or changed whose career data, when, how.

Every `/v1/` call answered with 2xx that concerns a person is recorded: the
person is the route's `employee_id` (path or query), and whoever a handler
names with `note_subject()` (the owner of a plan it showed, each candidate of a
list). On the request's path this costs one in-memory append; a flusher writes
the buffer through the outbox every `flush_seconds` as
`careerstream.privacy.access.recorded.v1` (one event per tenant per round), and
once more at shutdown. The privacy service keeps the trail and answers "who has
seen my data". A crash can lose at most the last round's records (documented).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from careerstream.contracts.events.privacy import AccessAction, AccessRecord, AccessRecorded
from careerstream.servicekit.uow import UowFactory

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]

_subjects: ContextVar[set[str] | None] = ContextVar("careerstream_audit_subjects", default=None)
PRINCIPAL_KEY = "careerstream_principal"
"""Where the auth dependency leaves the verified caller in the request's state."""
EXEMPT = ("/v1/privacy/keys/", "/v1/privacy/export/")
"""Service-to-service calls: the privacy service records the export it assembles itself."""


def note_subject(*employee_ids: str) -> None:
    """Name the people whose data the current request reads or changes (handlers call this)."""
    found = _subjects.get()
    if found is not None:
        found.update(e for e in employee_ids if e)


class AuditTrail:
    """The process's buffer of access records, and its flusher."""

    def __init__(self, service: str, max_buffer: int = 100_000) -> None:
        self.service = service
        self.max_buffer = max_buffer
        self._buffer: list[tuple[str, AccessRecord]] = []
        self.dropped = 0

    def record(self, tenant: str, record: AccessRecord) -> None:
        if len(self._buffer) >= self.max_buffer:
            self.dropped += 1  # the outbox is far behind: say so rather than grow without end
            return
        self._buffer.append((tenant, record))

    async def flush(self, uow_factory: UowFactory) -> int:
        """Write what is buffered to the outbox, one event per tenant; returns the count."""
        taken, self._buffer = self._buffer, []
        if not taken:
            return 0
        by_tenant: dict[str, list[AccessRecord]] = defaultdict(list)
        for tenant, record in taken:
            by_tenant[tenant].append(record)
        try:
            async with uow_factory() as uow:
                for tenant, records in by_tenant.items():
                    for i in range(0, len(records), 1000):
                        uow.publish(
                            AccessRecorded(
                                batch_id=uuid.uuid4().hex,
                                service=self.service,
                                records=records[i : i + 1000],
                            ),
                            tenant_id=tenant,
                        )
                await uow.commit()
        except Exception:
            self._buffer[:0] = taken  # the next round tries again
            raise
        return len(taken)

    async def run(self, uow_factory: UowFactory, stopping: asyncio.Event, every: float) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), every)
            try:
                await self.flush(uow_factory)
            except Exception as exc:
                log.warning("audit flush failed, retrying: %r", exc)
        if self.dropped:
            log.error("audit: %d access records dropped (buffer full)", self.dropped)


class AuditMiddleware:
    """Records each successful `/v1/` call that concerns a person (pure ASGI: no extra task)."""

    def __init__(self, app: ASGIApp, trail: AuditTrail) -> None:
        self.app = app
        self.trail = trail

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path.startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        status = 0

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        subjects: set[str] = set()
        token = _subjects.set(subjects)
        try:
            await self.app(scope, receive, sending)
        finally:
            _subjects.reset(token)
        if not 200 <= status < 300:
            return
        principal = (scope.get("state") or {}).get(PRINCIPAL_KEY)
        if principal is None:
            return  # not a person's call (webhooks are signed by the vendor)
        subject = (scope.get("path_params") or {}).get("employee_id")
        if subject:
            subjects.add(str(subject))
        for key, value in _query(scope):
            if key == "employee_id" and value:
                subjects.add(value)
        if not subjects:
            return
        route = getattr(scope.get("route"), "path", path)
        method = scope.get("method", "GET")
        now = datetime.now(UTC)
        for who in sorted(subjects):
            self.trail.record(
                principal.tenant_id,
                AccessRecord(
                    actor_id=principal.subject,
                    actor_roles=sorted(r.value for r in principal.roles),
                    subject_id=who,
                    action=AccessAction.READ if method in ("GET", "HEAD") else AccessAction.WRITE,
                    method=method,
                    route=route,
                    status=status,
                    at=now,
                ),
            )


def _query(scope: Scope) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    raw = scope.get("query_string", b"")
    try:
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=False)
    except ValueError:
        return []
