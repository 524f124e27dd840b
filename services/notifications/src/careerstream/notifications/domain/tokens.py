"""Unsubscribe links that work without signing in: a signed token naming the tenant, the
person and the kind (or `*`: every e-mail). The token is an HMAC-SHA256 over those three with
the service's secret; it does not expire (an old e-mail's link still works), and it can do
one thing only: turn e-mails off."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


class BadToken(ValueError):
    pass


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, tenant: str, employee_id: str, kind: str) -> str:
    body = _b64(json.dumps([tenant, employee_id, kind], separators=(",", ":")).encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(secret: str, token: str) -> tuple[str, str, str]:
    """(tenant, employee id, kind) of a token this service signed; BadToken otherwise."""
    body, sep, mac = token.partition(".")
    if not sep or not body or not mac or len(token) > 2000:
        raise BadToken("not an unsubscribe token")
    want = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        values = json.loads(_unb64(body))
    except (ValueError, TypeError) as exc:
        raise BadToken("not an unsubscribe token") from exc
    if not hmac.compare_digest(want, given):
        raise BadToken("the token's signature does not match")
    if (
        not isinstance(values, list)
        or len(values) != 3
        or not all(isinstance(v, str) and v for v in values)
    ):
        raise BadToken("not an unsubscribe token")
    return values[0], values[1], values[2]
