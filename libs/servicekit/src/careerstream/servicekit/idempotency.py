"""`Idempotency-Key`: a retried write is answered again, never applied twice.

A client that sends a write (POST, PUT, PATCH, DELETE) with an
``Idempotency-Key: <unique string>`` header may resend it, with the same key,
as often as it likes (after a timeout, a dropped connection, a service that
restarted mid-request): the effects happen once, and every retry gets the
response of the request that applied them, with ``Idempotent-Replayed: true``.

How: while such a request runs, its units of work do not commit when the
handler asks them to; the middleware commits them once the response is known,
in the same transaction as a row holding that response. So a request that
dies before that commit left nothing (the retry applies it), and one that got
past it left both its effects and its answer (the retry is answered from the
row). Two copies of a request racing each other: the second to commit finds
the key taken, rolls back, and answers with the first's response.

- Only an authenticated request is remembered, and a key is bound to the caller who used
  it (tenant and subject of the verified token): a request whose token is missing, forged
  or expired is never answered from the store (it goes on to the route, which answers
  401), and one caller cannot read another's answers. A caller whose token was renewed
  gets their own answers back.
- A key reused with a different method, path, query or body is refused (422).
- Only responses below 500 are kept; a request that failed with a server
  error is rolled back whole, and may be retried.
- Keys are kept for 24 hours.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.servicekit.auth import AuthError, TokenVerifier
from careerstream.servicekit.edge import read_body, replaying, send_problem
from careerstream.servicekit.uow import DeferredCommits, UnitOfWork, UowFactory, deferring

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER = b"idempotency-key"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY = 200
KEEP = "24 hours"
_TRANSPORT = {b"content-length", b"date", b"server", b"transfer-encoding", b"connection"}


class IdempotencyMiddleware:
    """ASGI middleware; the app's `state.uow` is the service's unit-of-work factory."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._swept = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            return await self.app(scope, receive, send)
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY:
            return await send_problem(
                send, 400, "Invalid Idempotency-Key", f"send 1 to {MAX_KEY} characters"
            )
        who = _caller(scope["app"].state, headers.get(b"authorization"))
        if who is None:
            # Not authenticated: nothing is stored or answered for it; the route says 401.
            return await self.app(scope, receive, send)
        uow: UowFactory = scope["app"].state.uow
        body = await read_body(receive)  # the edge has bounded it
        fingerprint = hashlib.sha256(
            b"\n".join(
                [scope["method"].encode(), scope["path"].encode(), scope["query_string"], body]
            )
        ).hexdigest()

        if await _answer_stored(uow, who, key, fingerprint, send):
            return

        replay_receive = replaying(body, receive)
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        deferred = DeferredCommits(asyncio.current_task())
        token = deferring.set(deferred)
        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await deferred.finish(commit=False)
            raise
        finally:
            deferring.reset(token)

        start = next((m for m in captured if m["type"] == "http.response.start"), None)
        status = int(start["status"]) if start is not None else 500
        if not deferred.units or status >= 500:
            # Nothing committed (a refusal, or a failure): nothing to remember; a retry runs anew.
            # Unless a copy of this request committed meanwhile (it may be why this one failed):
            # then its answer is this one's too.
            await deferred.finish(commit=False)
            if await _answer_stored(uow, who, key, fingerprint, send):
                return
            for message in captured:
                await send(message)
            return
        content = b"".join(
            m.get("body", b"") for m in captured if m["type"] == "http.response.body"
        )
        kept = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, v in (start or {}).get("headers", [])
            if k.lower() not in _TRANSPORT
        ]
        try:
            recorded = await self._record(deferred, who, key, fingerprint, status, kept, content)
        except BaseException:
            # The answer could not be kept: the effects are not kept either (a retry applies them).
            await deferred.finish(commit=False)
            raise
        if not recorded:
            # A copy of this request committed first: ours was undone; answer with its response.
            if not await _answer_stored(uow, who, key, fingerprint, send):
                await send_problem(send, 409, "Conflict", "a request with this key is in flight")
            return
        for message in captured:
            await send(message)

    async def _record(
        self,
        deferred: DeferredCommits,
        who: str,
        key: str,
        fingerprint: str,
        status: int,
        headers: list[list[str]],
        body: bytes,
    ) -> bool:
        """Write the answer with the effects and commit them together; False if a copy won."""
        first = deferred.units[0]
        table = first.idempotency_table
        stored = await first.session.execute(
            pg_insert(table)
            .values(
                scope=who,
                key=key,
                fingerprint=fingerprint,
                status=status,
                headers=headers,
                body=body,
            )
            .on_conflict_do_nothing()
            .returning(table.c.key)
        )
        if stored.first() is None:
            await deferred.finish(commit=False)
            return False
        if time.monotonic() - self._swept > 60:
            self._swept = time.monotonic()
            await first.session.execute(
                sa.delete(table).where(
                    table.c.created_at < sa.func.now() - sa.text(f"interval '{KEEP}'")
                )
            )
        await deferred.finish(commit=True)
        return True


def _caller(state: Any, authorization: bytes | None) -> str | None:
    """Who made the request (a digest of tenant and subject), or None if not authenticated."""
    if authorization is None:
        return None
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    verifier: TokenVerifier | None = getattr(state, "verifier", None)
    if scheme.lower() != "bearer" or not token or verifier is None:
        return None
    try:
        principal = verifier.verify(token.strip())
    except AuthError:
        return None
    return hashlib.sha256(f"{principal.tenant_id}\x00{principal.subject}".encode()).hexdigest()


async def _answer_stored(uow: UowFactory, who: str, key: str, fingerprint: str, send: Send) -> bool:
    async with uow() as u:
        table = u.idempotency_table
        row = (
            await u.session.execute(
                sa.select(table).where(table.c.scope == who, table.c.key == key)
            )
        ).first()
    if row is None:
        return False
    if row.fingerprint != fingerprint:
        await send_problem(
            send,
            422,
            "Idempotency-Key reused",
            "this key was used for a different request (method, path, query or body); "
            "use a new key for a new request",
        )
        return True
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in row.headers]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(row.body)).encode())]
    await send({"type": "http.response.start", "status": row.status, "headers": headers})
    await send({"type": "http.response.body", "body": bytes(row.body)})
    return True


__all__ = ["IdempotencyMiddleware", "UnitOfWork"]
